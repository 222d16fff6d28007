/**
 * UUIDv7 for pages, swapped in for `uuid.ts` by the package's `browser` field: the same layout
 * (48-bit milliseconds, a 12-bit counter that keeps ids of one millisecond in order, random bits)
 * in fewer bytes. It draws its random bits per id instead of keeping a 4 KiB pool and a hex table:
 * a page mints a few ids a second, where a Node service may mint a million.
 */
let lastMilliseconds = -1;
let counter = 0;

function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, '0');
}

/** A new UUIDv7 string, monotonic within this page. */
export function uuidv7(now: number = Date.now()): string {
  const random = crypto.getRandomValues(new Uint16Array(5));
  if (now > lastMilliseconds) {
    lastMilliseconds = now;
    counter = random[0]! & 0x3f;
  } else if (++counter > 0xfff) {
    // Out of counter within one millisecond: borrow the next one, as RFC 9562 allows.
    lastMilliseconds++;
    counter = 0;
  }
  const time = hex(lastMilliseconds, 12);
  return `${time.slice(0, 8)}-${time.slice(8)}-${hex(0x7000 | counter, 4)}-${hex(0x8000 | (random[1]! & 0x3fff), 4)}-${hex(random[2]!, 4)}${hex(random[3]!, 4)}${hex(random[4]!, 4)}`;
}
