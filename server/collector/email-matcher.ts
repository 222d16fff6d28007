/**
 * Email addresses in text, found as `emailPattern` (scrub-patterns.ts) finds them, in linear time.
 * Run as a regular expression, the pattern is tried from every position, and each start scans up
 * to 64 characters of local part and every `@` (or `%40`) in reach: `%40%40%40…` cost about 140 ms
 * per 32,000 characters, so one body of such strings held the collector's thread for seconds. Here
 * the matches are built from the markers (`@`, `%40`, `＠`) instead: for each, the leftmost start
 * that reaches it, then, as the pattern's greedy local part would, the last marker in that start's
 * reach whose domain matches. Domains follow the markers and never overlap, and each marker looks
 * back and ahead at most 64 characters.
 */

/** The pattern's domain, anchored where a marker ends. */
const domainPattern = /[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63})*\.\p{L}{2,63}/uy;
const nonAsciiLocal = /^[\p{L}\p{N}]$/u;
/** The most characters (code points) a local part may have. */
const localLength = 64;

function isLocalCodePoint(code: number): boolean {
  if (code < 128) {
    return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 46 || code === 95 || code === 37 || code === 43 || code === 45;
  }
  return nonAsciiLocal.test(String.fromCodePoint(code));
}

/** The code point ending just before `index`: its start, or -1 when it is not a local-part character. */
function localBefore(text: string, index: number): number {
  let start = index - 1;
  const low = text.charCodeAt(start);
  if (low >= 0xdc00 && low <= 0xdfff && start > 0) {
    const high = text.charCodeAt(start - 1);
    if (high >= 0xd800 && high <= 0xdbff) start--;
  }
  return isLocalCodePoint(text.codePointAt(start)!) ? start : -1;
}

/** Where the code point at `index` ends, or -1 when it is not a local-part character. */
function localAt(text: string, index: number): number {
  const code = text.codePointAt(index)!;
  return isLocalCodePoint(code) ? index + (code > 0xffff ? 2 : 1) : -1;
}

/** `text` with every address `emailPattern` finds replaced by what `replace` returns for it. */
export function replaceEmails(text: string, replace: (address: string) => string): string {
  // The markers, in one pass over the characters: `@`, `%40`, `＠`.
  const starts: number[] = [];
  const ends: number[] = [];
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 64 || code === 0xff20) {
      starts.push(index);
      ends.push(index + 1);
    } else if (code === 37 && text.charCodeAt(index + 1) === 52 && text.charCodeAt(index + 2) === 48) {
      starts.push(index);
      ends.push(index + 3);
      index += 2;
    }
  }
  // Each marker's domain end, once known (0: not yet tried; -1: no domain).
  const domainEnds = new Int32Array(starts.length);
  const domainEnd = (marker: number): number => {
    if (domainEnds[marker] === 0) {
      domainPattern.lastIndex = ends[marker]!;
      domainEnds[marker] = domainPattern.test(text) ? domainPattern.lastIndex : -1;
    }
    return domainEnds[marker]!;
  };
  const pieces: string[] = [];
  let copied = 0;
  let searchFrom = 0;
  for (let index = 0; index < starts.length; index++) {
    const at = starts[index]!;
    if (at < searchFrom) continue;
    // The leftmost start that reaches this marker: back over local-part characters, at most 64.
    let start = at;
    for (let count = 0; count < localLength && start > searchFrom; count++) {
      const previous = localBefore(text, start);
      if (previous < searchFrom || previous === -1) break;
      start = previous;
    }
    if (start === at) continue;
    // How far a local part from there reaches; the last marker in reach whose domain matches wins.
    let reach = start;
    for (let count = 0; count < localLength && reach < text.length; count++) {
      const next = localAt(text, reach);
      if (next === -1) break;
      reach = next;
    }
    let end = -1;
    for (let candidate = index; candidate < starts.length && starts[candidate]! <= reach; candidate++) {
      const candidateEnd = domainEnd(candidate);
      if (candidateEnd !== -1) end = candidateEnd;
    }
    if (end === -1) continue;
    pieces.push(text.slice(copied, start), replace(text.slice(start, end)));
    copied = end;
    searchFrom = end;
  }
  if (copied === 0) return text;
  pieces.push(text.slice(copied));
  return pieces.join('');
}
