/**
 * `Object.freeze({ ...base, ...extra })`, without V8's slow path: freezing an object made by spread
 * costs about 0.6 µs on Node 20 (the clone's map caches no frozen transition, so each freeze builds
 * a new one), while freezing one filled by `Object.assign` costs about 0.05 µs. Contexts and child
 * loggers are made per request, so this is on the request path.
 */
export function frozenMerge<T extends object>(base: T | undefined, extra: T): Readonly<T> {
  // `Object.assign` sets an own `__proto__` key through the setter, which would change the copy's
  // prototype instead of copying the key; spread defines it, so such objects take the slow path.
  if (hasOwnProto(extra) || (base !== undefined && hasOwnProto(base))) {
    return Object.freeze({ ...base, ...extra });
  }
  return Object.freeze(Object.assign({}, base, extra));
}

function hasOwnProto(value: object): boolean {
  return Object.prototype.hasOwnProperty.call(value, '__proto__');
}
