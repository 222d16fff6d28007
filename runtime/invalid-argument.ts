/**
 * Refusing a call the application got wrong, in one voice: a TypeError saying what the call takes,
 * thrown where the mistake is made (configuration and setup), never from a logging call.
 */
export function invalidArgument(message: string): TypeError {
  return new TypeError(`logmill: ${message}`);
}

/** An object that can hold named values: not null, not an array. */
export function isRecord<T>(value: T): value is T & Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Refuses a value that is not an http(s) URL, naming the option. */
export function checkHttpUrl(value: unknown, what: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(value as string).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw invalidArgument(`${what} needs an http(s) URL, not ${JSON.stringify(value)}`);
}

/** Refuses any of these options that is given and is not a positive number. */
export function checkPositive<Options>(options: Options, names: ReadonlyArray<keyof Options & string>): void {
  for (const name of names) {
    const value = options[name];
    if (value !== undefined && !(typeof value === 'number' && value > 0)) throw invalidArgument(`${name} is a positive number, not ${String(value)}`);
  }
}

/** How many single-character edits turn `a` into `b` (for "did you mean"). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Refuses an options object with a key the call does not know (a misspelled option would
 * otherwise be ignored in silence), naming the key, the likeliest intended one and the known ones.
 */
export function checkKnownOptions(options: object, known: readonly string[], what: string): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const closest = known.map((name) => [name, editDistance(key.toLowerCase(), name.toLowerCase())] as const).sort((a, b) => a[1] - b[1])[0];
    const hint = closest !== undefined && closest[1] <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean "${closest[0]}"?)` : '';
    throw invalidArgument(`${what} has no option "${key}"${hint}; its options are ${known.join(', ')}`);
  }
}
