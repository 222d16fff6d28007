/**
 * How much a reader may see: `direct` readers get exact answers and raw events, `trusted` and
 * `untrusted` readers get answers through the privacy guard (untrusted ones under stricter rules).
 */
export type AccessLevel = 'untrusted' | 'trusted' | 'direct';
