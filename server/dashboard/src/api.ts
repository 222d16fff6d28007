/**
 * The collector's API as the dashboard uses it. The key travels in the Authorization header of
 * every call; the collector, not the page, decides what the key may see.
 */
// The answers' types are the server's own (type-only imports: nothing of the server is bundled).
import type { VariantResult } from '../../domain/experiment-model.js';
import type { FunnelAnswer } from '../../domain/funnel-model.js';
import type { QueryAnswer } from '../../domain/query-model.js';
import type { TemplateRow } from '../../domain/template-view.js';
import type { EventRow } from '../../domain/event-row.js';
import { ServerSentEventParser } from './sse.js';

export type AccessLevel = 'untrusted' | 'trusted' | 'direct';

export interface Whoami {
  role: 'read' | 'admin' | 'ingest';
  access: AccessLevel;
  project: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export type { FunnelAnswer, QueryAnswer, TemplateRow, VariantResult };

export interface ExperimentAnswer {
  exact: boolean;
  control: string | undefined;
  variants: VariantResult[];
}

/**
 * A stored event: the store's row (snake_case columns). Read back from DuckDB, the time may come
 * as text and the JSON columns as JSON text; the views accept both.
 */
export type StoredEvent = Omit<EventRow, 'ts'> & { ts: number | string };

/** The collector's JSON error (`{ error, message }`) as an ApiError. */
async function failure(response: Response): Promise<ApiError> {
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  return new ApiError(response.status, String(answer['error'] ?? 'error'), String(answer['message'] ?? response.statusText));
}

export class Api {
  constructor(readonly key: string) {}

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${this.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw await failure(response);
    return (await response.json()) as T;
  }

  whoami(): Promise<Whoami> {
    return this.#call('GET', '/api/whoami');
  }

  query(query: unknown): Promise<QueryAnswer> {
    return this.#call('POST', '/api/query', query);
  }

  templates(parameters: { from?: number; limit?: number; severity?: string }): Promise<{ exact: boolean; rows: TemplateRow[] }> {
    const search = new URLSearchParams();
    if (parameters.from !== undefined) search.set('from', String(parameters.from));
    if (parameters.limit !== undefined) search.set('limit', String(parameters.limit));
    if (parameters.severity !== undefined) search.set('severity', parameters.severity);
    return this.#call('GET', `/api/templates?${search}`);
  }

  funnel(funnel: unknown): Promise<FunnelAnswer> {
    return this.#call('POST', '/api/funnel', funnel);
  }

  experiment(query: unknown): Promise<ExperimentAnswer> {
    return this.#call('POST', '/api/experiment', query);
  }

  event(id: string): Promise<StoredEvent> {
    return this.#call('GET', `/api/events/${encodeURIComponent(id)}`);
  }

  /**
   * Streams the live tail until `signal` aborts: each acknowledged event matching the server-side
   * filters goes to `onEvent`; `onDropped` hears how many the server dropped for a slow reader.
   */
  async tail(filters: Record<string, string>, signal: AbortSignal, onEvent: (event: StoredEvent) => void, onDropped: (count: number) => void): Promise<void> {
    const search = new URLSearchParams(Object.entries(filters).filter(([, value]) => value !== ''));
    const response = await fetch(`/api/tail?${search}`, { headers: { authorization: `Bearer ${this.key}` }, signal });
    if (!response.ok || response.body === null) throw await failure(response);
    const parser = new ServerSentEventParser();
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      for (const message of parser.push(decoder.decode(value, { stream: true }))) {
        if (message.event === 'dropped') onDropped(Number((JSON.parse(message.data) as { dropped: number }).dropped));
        else onEvent(JSON.parse(message.data) as StoredEvent);
      }
    }
  }
}

/** The page's key, kept for the browser session only (sessionStorage), never in localStorage. */
export const keyStorage = {
  read: (): string | null => sessionStorage.getItem('logmill.key'),
  write: (key: string): void => sessionStorage.setItem('logmill.key', key),
  forget: (): void => sessionStorage.removeItem('logmill.key'),
};
