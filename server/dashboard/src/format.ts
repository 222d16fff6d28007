/** Numbers, times and durations as the views print them. */
export const number = new Intl.NumberFormat('en-US');

export function percent(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits)}%`;
}

/** `350 ms`, `1.2 s`, `4 min`, `3.5 h`, `2 d`. */
export function duration(milliseconds: number | null): string {
  if (milliseconds === null) return '—';
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : seconds.toFixed(0)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(seconds < 600 ? 1 : 0)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

/** An event time as `2026-12-07 06:48:56.459` (UTC): from epoch milliseconds, ISO text, or the stores' zone-less UTC text. */
export function time(value: number | string): string {
  // `new Date('2026-12-07 06:48:56')` would read a zone-less time as the browser's local time.
  const zoneless = typeof value === 'string' ? /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(value) : null;
  const date = new Date(zoneless !== null ? `${zoneless[1]}T${zoneless[2]}Z` : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().replace('T', ' ').replace('Z', '');
}

/** A query answer's time bucket (ISO 8601 text from `/api/query`; epoch milliseconds accepted too) as epoch milliseconds, NaN for `*`. */
export function bucketTime(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return Number.NaN;
  return /^\d+$/.test(value) ? Number(value) : Date.parse(value);
}

/** A guarded number with its noise: `1,234 ±2.8`. */
export function noisy(value: number, sd: number): string {
  return sd > 0 ? `${number.format(value)} ±${sd.toFixed(1)}` : number.format(value);
}

/** JSON columns arrive as objects or as JSON text, depending on the path: always an object here. */
export function json(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export const severities = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
