/**
 * API keys: an ingest key writes only (safe to ship in a browser, optionally bound to origins), a
 * read key reads at an access level, an admin key does everything at `direct` access. Keys are
 * looked up by their SHA-256, so the table never compares secrets character by character.
 */
import { createHash } from 'node:crypto';
import type { AccessLevel } from '../domain/access-level.js';

export type KeyRole = 'ingest' | 'read' | 'admin';

export interface KeyGrant {
  role: KeyRole;
  project: string;
  /** For read and admin keys. */
  access: AccessLevel;
  /** For ingest keys: the browser origins allowed to use it (empty: any allowed origin). */
  origins: readonly string[];
}

export interface IngestKeyConfig {
  key: string;
  project?: string;
  origins?: string[];
}
export interface ReadKeyConfig {
  key: string;
  project?: string;
  access?: AccessLevel;
}
export interface KeysConfig {
  ingest?: IngestKeyConfig[];
  read?: ReadKeyConfig[];
  admin?: string[];
}

/** Keys shorter than this are refused: a key is a secret, not a password a person types. */
export const minimumKeyLength = 16;

function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export class KeyRing {
  readonly #grants = new Map<string, KeyGrant>();

  constructor(keys: KeysConfig, defaultProject: string) {
    for (const { key, project, origins } of keys.ingest ?? []) {
      this.#add(key, { role: 'ingest', project: project ?? defaultProject, access: 'untrusted', origins: origins ?? [] });
    }
    for (const { key, project, access } of keys.read ?? []) {
      this.#add(key, { role: 'read', project: project ?? defaultProject, access: access ?? 'untrusted', origins: [] });
    }
    for (const key of keys.admin ?? []) this.#add(key, { role: 'admin', project: defaultProject, access: 'direct', origins: [] });
  }

  #add(key: string, grant: KeyGrant): void {
    if (key.length < minimumKeyLength) {
      const placeholder = key.includes('…') ? ' (the manual\'s "…" stands for a secret of your own)' : '';
      throw new Error(`${grant.role === 'read' ? 'a' : 'an'} ${grant.role} key must be at least ${minimumKeyLength} characters long; one configured has ${key.length}${placeholder}. Generate one with: openssl rand -base64 24`);
    }
    if (this.#grants.has(digest(key))) throw new Error(`the same key is configured twice`);
    this.#grants.set(digest(key), grant);
  }

  /** The grant for `key`, or undefined for an unknown key. */
  resolve(key: string): KeyGrant | undefined {
    return this.#grants.get(digest(key));
  }

  get size(): number {
    return this.#grants.size;
  }

  /** Every origin some ingest key is bound to. */
  get boundOrigins(): string[] {
    return [...this.#grants.values()].flatMap((grant) => grant.origins);
  }
}
