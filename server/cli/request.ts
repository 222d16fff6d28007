/**
 * One HTTP call from the CLI to a collector, with a progress bar on stderr for long work: elapsed
 * time while the collector works, then bytes received (of the total, when the collector says it).
 * The bar shows on a terminal, or always with `LOGMILL_PROGRESS=always` (never with `never`); it
 * goes to stderr, so piped JSON stays clean.
 */
import cliProgress from 'cli-progress';

export interface CallOptions {
  url?: string;
  key?: string;
}

/** The collector's address and key: the flags, else LOGMILL_URL and LOGMILL_KEY. */
export function connection(options: { url?: string; key?: string }): { url: string; key: string } {
  const url = options.url ?? process.env['LOGMILL_URL'];
  const key = options.key ?? process.env['LOGMILL_KEY'];
  if (url === undefined || url === '') throw new Error('give the collector with --url URL (or LOGMILL_URL)');
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new Error(`the collector's URL is http://HOST:PORT (or https://), not "${url}"`);
  if (key === undefined || key === '') throw new Error('give a read key with --key KEY (or LOGMILL_KEY)');
  return { url: url.replace(/\/+$/, ''), key };
}

/** On a terminal, waits this long before drawing a bar, so quick answers print nothing extra. */
const quietMilliseconds = 400;

/** Whether to draw progress bars: LOGMILL_PROGRESS=always|never, else on terminals only. */
export function progressSetting(): 'always' | 'terminal' | 'never' {
  const setting = process.env['LOGMILL_PROGRESS'];
  if (setting === 'always' || setting === 'never') return setting;
  return process.stderr.isTTY === true ? 'terminal' : 'never';
}

function kibibytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A bar that appears if the work outlasts `quietMilliseconds` (at once with LOGMILL_PROGRESS=always). */
class LazyBar {
  readonly #bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      // Not a terminal (LOGMILL_PROGRESS=always into a file): one line per redraw, no cursor games.
      noTTYOutput: true,
      notTTYSchedule: 1000,
      hideCursor: true,
      clearOnComplete: false,
      format: (options, params, payload: { stage: string }) => {
        const received = payload.stage === 'receiving';
        const bar = received && params.total > 0 ? ` [${cliProgress.Format.BarFormat(params.progress, options)}]` : '';
        const amount = received ? ` ${kibibytes(params.value)}${params.total > 0 ? ` of ${kibibytes(params.total)}` : ''}` : '';
        const seconds = ((Date.now() - params.startTime) / 1000).toFixed(1);
        return `${this.label}: ${payload.stage}${bar}${amount} | ${seconds} s`;
      },
    },
    cliProgress.Presets.shades_classic,
  );
  #shown = false;
  readonly #timer: NodeJS.Timeout | undefined;

  constructor(readonly label: string) {
    const setting = progressSetting();
    if (setting === 'always') this.#show();
    this.#timer = setting === 'terminal' ? setTimeout(() => this.#show(), quietMilliseconds) : undefined;
  }

  #show(): void {
    this.#shown = true;
    this.#bar.start(0, 0, { stage: 'waiting for the collector' });
  }

  receiving(total: number): void {
    if (!this.#shown) return;
    this.#bar.setTotal(total);
    this.#bar.update(0, { stage: 'receiving' });
  }

  received(bytes: number): void {
    if (this.#shown) this.#bar.update(bytes);
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#shown) this.#bar.stop();
  }
}

/** What a system error code of a failed connection means, in words. */
export const networkCauses: Record<string, string> = {
  ECONNREFUSED: 'connection refused, nothing listens there',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved now',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
};

/**
 * `fetch` to the collector; a network failure becomes an Error naming the address and the cause
 * (fetch's own message is only "fetch failed", its cause holds the code).
 */
export async function fetchCollector(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new Error(`cannot reach the collector at ${new URL(url).origin}: ${networkCause(error)}`);
  }
}

function networkCause(error: unknown): string {
  // undici nests the system error, sometimes in an AggregateError (one per address tried).
  let cause = (error as { cause?: unknown }).cause ?? error;
  if (cause instanceof AggregateError && cause.errors.length > 0) cause = cause.errors[0];
  const { code, message } = cause as { code?: string; message?: string };
  if (code !== undefined) return `${networkCauses[code] ?? message ?? 'network error'} (${code})`;
  return message ?? String(cause);
}

/** Calls the collector and returns its JSON answer; a non-2xx answer becomes an Error naming it. */
export async function callCollector(options: CallOptions, method: string, path: string, label: string, body?: unknown): Promise<Record<string, any>> {
  const { url, key } = connection(options);
  const bar = new LazyBar(label);
  try {
    const response = await fetchCollector(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    bar.receiving(Number(response.headers.get('content-length') ?? 0));
    const chunks: Buffer[] = [];
    let bytes = 0;
    if (response.body !== null) {
      for await (const chunk of response.body) {
        chunks.push(Buffer.from(chunk));
        bytes += chunk.byteLength;
        bar.received(bytes);
      }
    }
    const text = Buffer.concat(chunks).toString('utf8');
    let answer: Record<string, any> = {};
    try {
      answer = JSON.parse(text) as Record<string, any>;
    } catch {
      if (response.ok) throw new Error(`the collector answered ${response.status} with something other than JSON`);
    }
    if (!response.ok) throw new Error(`${response.status} ${String(answer['error'] ?? '')}: ${String(answer['message'] ?? response.statusText)}`);
    return answer;
  } finally {
    bar.stop();
  }
}
