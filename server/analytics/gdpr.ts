/**
 * GDPR duties: erase a user (every stored event, the journal, dead letters and the query audit
 * lines about them; an erasure record holding no personal data), export everything stored about a
 * user, and retention (events older than N days removed on a schedule, with per-event-name periods).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RetentionRule, Store } from '../store/store.js';
import { summaryOf } from '../store/dead-letters.js';
import type { AuditLog } from './audit-log.js';

export interface RetentionPolicy {
  /** Days to keep events whose name has no rule of its own (undefined: forever). */
  days?: number;
  /** Days to keep events of a given name (`$pageview: 7`). */
  names?: Record<string, number>;
}

const day = 86_400_000;
const personalColumns = ['args', 'attributes', 'context_vars', 'message', 'session_id', 'error'];

/** The strings of an exported event's personal columns (JSON columns arrive as text). */
function collectStrings(event: Record<string, unknown>, into: Set<string>): void {
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.length >= 8) into.add(value);
    } else if (typeof value === 'object' && value !== null) {
      for (const item of Object.values(value)) visit(item);
    }
  };
  for (const column of personalColumns) {
    const value = event[column];
    if (typeof value === 'string' && column !== 'message' && column !== 'session_id') {
      try {
        visit(JSON.parse(value));
        continue;
      } catch {
        // Not JSON after all: the string itself.
      }
    }
    visit(value);
  }
}

/**
 * The ways one id may be spelled in Unicode: as given, composed (NFC) and decomposed (NFD). An
 * `é` typed on one system and sent by another is the same person's id either way, so erasure and
 * export take every spelling; an ASCII id has one.
 */
export function spellingsOf(user: string): string[] {
  return [...new Set([user, user.normalize('NFC'), user.normalize('NFD')])];
}

export class Gdpr {
  readonly #auditFile: string;

  constructor(
    private readonly store: Store,
    dataDirectory: string,
    private readonly entity = 'user_id',
    private readonly audit?: AuditLog,
  ) {
    mkdirSync(join(dataDirectory, 'audit'), { recursive: true, mode: 0o700 });
    this.#auditFile = join(dataDirectory, 'audit', 'erasures.ndjson');
  }

  /**
   * Erases the user (by every spelling of their id) in one project, or with `project` undefined in
   * every project that holds them (an admin acts for the whole collector: a person is not erased half). The audit line says when,
   * in which projects and how many events, not who.
   */
  async erase(project: string | undefined, user: string): Promise<{ eraseId: string; erased: number; projects: Record<string, number> }> {
    const projects: Record<string, number> = {};
    let erased = 0;
    const names = project === undefined ? await this.projects() : [project];
    // Audit lines that asked about the person's own values go too: their id, and the longer strings
    // (8 characters and more, so common words like "checkout" do not take other lines) of their events.
    // They go first: the strings are known only while the events are stored, so a crash after the
    // events went and before the audit was rewritten would keep those lines for good, where a crash
    // after the audit leaves the events, and erasing again finds their strings again.
    const spellings = spellingsOf(user);
    const values = new Set<string>(spellings);
    if (this.audit !== undefined) {
      for (const name of names) for (const spelling of spellings) for (const event of await this.store.entityEvents(name, this.entity, spelling)) collectStrings(event, values);
      await this.audit.forget([...values]);
    }
    for (const name of names) {
      let count = 0;
      for (const spelling of spellings) count += await this.store.eraseEntity(name, this.entity, spelling);
      if (count > 0 || project !== undefined) projects[name] = count;
      erased += count;
    }
    const eraseId = randomUUID();
    await appendFile(this.#auditFile, `${JSON.stringify({ at: new Date().toISOString(), eraseId, projects, events: erased })}\n`, { mode: 0o600 });
    return { eraseId, erased, projects };
  }

  /** Every stored event of the user (by every spelling of their id), oldest first, with every column: in one project, or in every project when `project` is undefined. */
  async export(project: string | undefined, user: string): Promise<Record<string, unknown>[]> {
    const events: Record<string, unknown>[] = [];
    // An anonymous event of a session both spellings were seen in is found by each: it is listed once.
    const listed = new Set<string>();
    for (const name of project === undefined ? await this.projects() : [project]) {
      for (const spelling of spellingsOf(user)) {
        for (const event of await this.store.entityEvents(name, this.entity, spelling)) {
          const key = JSON.stringify([event['project'], event['id'], event['received_at'], event['deadLetter'] !== undefined]);
          if (listed.has(key)) continue;
          listed.add(key);
          events.push(event);
        }
      }
    }
    return events;
  }

  /** Every project the store holds events or dead letters of. */
  async projects(): Promise<string[]> {
    const stored = (await this.store.read('SELECT DISTINCT project FROM events')).map((row) => String(row['project']));
    const dead = (await this.store.listDeadLetters()).map((entry) => summaryOf(entry).project).filter((name): name is string => typeof name === 'string');
    return [...new Set([...stored, ...dead])].sort();
  }

  /** Applies the policy once; returns the events deleted. */
  async applyRetention(policy: RetentionPolicy, now = Date.now()): Promise<number> {
    const names = Object.entries(policy.names ?? {});
    const rules: RetentionRule[] = names.map(([name, days]) => ({ cutoff: now - days * day, name }));
    if (policy.days !== undefined) rules.push({ cutoff: now - policy.days * day, except: names.map(([name]) => name) });
    // The query audit is kept as long as the events it asked about, no longer.
    if (policy.days !== undefined) await this.audit?.forgetBefore(now - policy.days * day);
    // All rules at once: the embedded store rewrites its file once per run, not once per rule.
    return rules.length === 0 ? 0 : this.store.deleteExpired(rules);
  }
}
