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
