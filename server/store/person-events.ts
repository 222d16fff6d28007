/**
 * Which stored events are one person's for erasure and export: the events whose entity column is
 * theirs, and the anonymous events (no entity) of the sessions they were identified in. The events
 * a browser logs before `identify()` carry only the session id, yet they are the person's: an
 * erasure that left them would keep what the person did before signing in, and an export that left
 * them out would not show everything an erasure removes. Events of a session that carry another
 * person's id stay that person's.
 */

/** The session ids among a person's own rows (stored events or dead-lettered rows). */
export function sessionsOf(rows: Iterable<Record<string, unknown> | undefined>): string[] {
  const sessions = new Set<string>();
  for (const row of rows) {
    const session = row?.['session_id'];
    if (typeof session === 'string' && session !== '') sessions.add(session);
  }
  return [...sessions];
}

/** Whether a row (stored or dead-lettered) is the person's: theirs by entity, or anonymous in one of their sessions. */
export function isPersonRow(row: Record<string, unknown>, project: string, entity: string, value: string, sessions: ReadonlySet<string>): boolean {
  if (row['project'] !== project) return false;
  if (row[entity] === value) return true;
  const session = row['session_id'];
  return (row[entity] === null || row[entity] === undefined) && typeof session === 'string' && sessions.has(session);
}
