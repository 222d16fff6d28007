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
