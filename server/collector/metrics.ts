/**
 * The collector's Prometheus metrics (prom-client, one registry per collector so several can run
 * in one process), including what clients report about their own spools.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '../store/store.js';

export interface ClientReport {
  spool: number;
  dropped: number;
  at: number;
}

const maxClients = 10_000;

export class CollectorMetrics {
  readonly registry = new Registry();
  readonly startedAt = Date.now();
  readonly accepted: Counter<'project'>;
  readonly stored: Counter;
  readonly duplicates: Counter;
  readonly rejectedRequests: Counter<'reason'>;
  readonly rejectedEvents: Counter<'reason'>;
  readonly truncatedStrings: Counter;
  readonly requestDuration: Histogram<'route' | 'status'>;
  readonly batchSize: Histogram;
  readonly clients = new Map<string, ClientReport>();

  constructor(store: Store) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'logmill_' });
    this.accepted = new Counter({ name: 'logmill_events_accepted_total', help: 'Events acknowledged (durable).', labelNames: ['project'], registers });
    this.stored = new Counter({ name: 'logmill_events_stored_total', help: 'Events loaded into the queryable store.', registers });
    this.duplicates = new Counter({ name: 'logmill_events_duplicate_total', help: 'Events received again and not stored twice.', registers });
    store.onLoad = (stored, duplicates) => {
      this.stored.inc(stored);
      this.duplicates.inc(duplicates);
    };
    this.rejectedRequests = new Counter({ name: 'logmill_requests_rejected_total', help: 'Requests answered with a 4xx, by reason.', labelNames: ['reason'], registers });
    this.rejectedEvents = new Counter({ name: 'logmill_events_rejected_total', help: 'Events refused by validation, by reason.', labelNames: ['reason'], registers });
    this.truncatedStrings = new Counter({ name: 'logmill_strings_truncated_total', help: 'String values longer than the limit, cut to it in events that were kept.', registers });
    this.requestDuration = new Histogram({
      name: 'logmill_request_duration_seconds',
      help: 'Request latency by route and status.',
      labelNames: ['route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.batchSize = new Histogram({ name: 'logmill_batch_events', help: 'Events per ingest request.', buckets: [1, 10, 50, 100, 250, 500, 1000], registers });
    const startedAt = this.startedAt;
    new Gauge({
      name: 'logmill_uptime_seconds',
      help: 'Seconds since the collector started.',
      registers,
      collect() {
        this.set((Date.now() - startedAt) / 1000);
      },
    });
    new Gauge({
      name: 'logmill_storage_rows',
      help: 'Events in storage.',
      registers,
      async collect() {
        this.set((await store.statistics()).rows);
      },
    });
    new Gauge({
      name: 'logmill_storage_pending_events',
      help: 'Events acknowledged and journaled, not yet loaded into the queryable store.',
      registers,
      async collect() {
        this.set((await store.statistics()).pending);
      },
    });
    new Gauge({
      name: 'logmill_storage_dead_letters',
      help: 'Acknowledged rows the store could not load, kept as dead letters to list, export and replay.',
      registers,
      async collect() {
        this.set((await store.statistics()).deadLetters);
      },
    });
    new Gauge({
      name: 'logmill_storage_bytes',
      help: 'Bytes the store occupies on disk.',
      registers,
      async collect() {
        this.set((await store.statistics()).bytes);
      },
    });
    const clients = this.clients;
    new Gauge({
      name: 'logmill_client_spool_events',
      help: 'Events waiting in client spools, summed over clients that reported in the last 5 minutes.',
      registers,
      collect() {
        this.set(sumRecent(clients, 'spool'));
      },
    });
    new Gauge({
      name: 'logmill_client_dropped_events',
      help: 'Events clients dropped past their spool bound, summed over clients that reported in the last 5 minutes.',
      registers,
      collect() {
        this.set(sumRecent(clients, 'dropped'));
      },
    });
    new Gauge({
      name: 'logmill_clients_reporting',
      help: 'Clients that reported their spool in the last 5 minutes.',
      registers,
      collect() {
        this.set(recent(clients).length);
      },
    });
  }

  /** Records an `X-Logmill-Client: instance=ID; spool=N; dropped=N` header. */
  recordClientReport(header: string | undefined): void {
    if (header === undefined) return;
    const fields = Object.fromEntries(header.split(';').map((part) => part.trim().split('=', 2) as [string, string]));
    const instance = fields['instance'];
    const spool = countOf(fields['spool']);
    const dropped = fields['dropped'] === undefined ? 0 : countOf(fields['dropped']);
    if (!instance || instance.length > 100 || spool === undefined || dropped === undefined) return;
    if (!this.clients.has(instance) && this.clients.size >= maxClients) {
      const oldest = this.clients.keys().next().value;
      if (oldest !== undefined) this.clients.delete(oldest);
    }
    this.clients.delete(instance);
    this.clients.set(instance, { spool, dropped, at: Date.now() });
  }
}

/**
 * The most events one client's report may claim: the runtime reports whole counts, and a spool is
 * bounded by its bytes (64 MiB by default), far below this. The header comes with the public ingest
 * key, so anything else (`1e308`, `-5`, `2.5`, `0x10`) is refused rather than summed into the gauges
 * operators alert on.
 */
const maxReportedEvents = 1_000_000_000;

function countOf(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,10}$/.test(text)) return undefined;
  const count = Number(text);
  return count <= maxReportedEvents ? count : undefined;
}

function recent(clients: Map<string, ClientReport>): ClientReport[] {
  const since = Date.now() - 5 * 60_000;
  return [...clients.values()].filter((report) => report.at >= since);
}

function sumRecent(clients: Map<string, ClientReport>, field: 'spool' | 'dropped'): number {
  return recent(clients).reduce((sum, report) => sum + report[field], 0);
}
