/**
 * The data directory holds personal data (events, journal segments, dead letters, the audit logs)
 * and secrets (keys, salt): it and everything in it belong to the collector's user alone, the way
 * PostgreSQL keeps its data directory. Paths given as `~/…` mean the home directory, as in a shell.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/**
 * A data path as written in a flag, the environment or a config file: `~` and `~/…` expand to the
 * home directory (a shell that did not expand a quoted `~` must not leave a literal `./~` behind),
 * `~user/…` is refused, and a relative path is taken from `base` (the config file's folder for a
 * path written in it, else the working directory).
 */
export function resolveDataPath(path: string, base: string = process.cwd()): string {
  if (path === '~' || path.startsWith('~/')) return join(homedir(), path.slice(1));
  if (path.startsWith('~')) throw new Error(`the data path "${path}" starts with ~user, which Logmill does not expand: write the full path`);
  return isAbsolute(path) ? path : resolve(base, path);
}

/** The folder a config file's relative paths are taken from. */
export function configFolder(file: string): string {
  return dirname(resolve(file));
}

/**
 * Creates `directory` (and missing parents) mode 0700; an existing one, and everything under it,
 * loses any group or other permission (a data directory made by an older version, or by hand, with
 * the usual umask 022). `user` is the uid the directory must belong to (default: this process's).
 */
export function privateDirectory(directory: string, user = process.getuid?.()): void {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  // Followed if it is a link: what counts is whose directory the data lands in.
  const stat = statSync(directory);
  if (!stat.isDirectory()) throw new Error(`the data directory ${directory} is not a directory`);
  tighten(directory, user, stat);
}

/**
 * Another user's directory, or a file of theirs in it, is refused: they could read what lands
 * there, or have planted the keys (`keys.json`) and salt the collector would then trust. A
 * predictable path in a shared folder (`/tmp/logmill-data`) is exactly where that happens.
 */
function tighten(path: string, user: number | undefined, stat = lstatSync(path)): void {
  if (stat.isSymbolicLink()) return;
  if (user !== undefined && stat.uid !== user) {
    throw new Error(`${path} belongs to another user (uid ${stat.uid}, not ${user}): the data directory and everything in it must be the collector's user's own; choose another --data, or chown it`);
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(path, stat.mode & 0o700);
  if (stat.isDirectory()) for (const entry of readdirSync(path)) tighten(join(path, entry), user);
}

/**
 * Files the collector's process creates from now on (DuckDB's write-ahead log and spill files
 * included, which no option makes private) are its user's alone: `logmill serve` sets this first.
 */
export function privateFilesFromNowOn(): void {
  process.umask(0o077);
}
