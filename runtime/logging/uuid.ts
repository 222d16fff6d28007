/**
 * UUIDv7 (RFC 9562) event ids: 48-bit Unix milliseconds, then a 12-bit counter (method 1, so ids
 * minted in the same millisecond still sort), then random bits. Random bytes come from a pool
 * refilled 4 KiB at a time, so minting an id costs no system call.
 */
const POOL_SIZE = 4096;
let pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;
let lastMilliseconds = -1;
let counter = 0;

const hex: string[] = Array.from({ length: 256 }, (_, value) => value.toString(16).padStart(2, '0'));

function randomBytes(count: number): number {
  if (poolOffset + count > POOL_SIZE) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_SIZE));
    poolOffset = 0;
  }
  const offset = poolOffset;
  poolOffset += count;
  return offset;
}

let prefixMilliseconds = -1;
let prefix = '';

/** A new UUIDv7 string, monotonic within this process. */
export function uuidv7(now: number = Date.now()): string {
  if (now > lastMilliseconds) {
    lastMilliseconds = now;
    counter = pool[randomBytes(1)]! & 0x3f;
  } else {
    counter++;
    if (counter > 0xfff) {
      // The counter ran out within one millisecond: borrow the next millisecond, as RFC 9562 allows.
      lastMilliseconds++;
      counter = 0;
    }
  }
  if (lastMilliseconds !== prefixMilliseconds) {
    // The time part changes once per millisecond; ids minted within it share the text.
    prefixMilliseconds = lastMilliseconds;
    const high = Math.floor(lastMilliseconds / 0x10000);
    const low = lastMilliseconds % 0x10000;
    prefix = `${hex[(high >>> 24) & 0xff]!}${hex[(high >>> 16) & 0xff]!}${hex[(high >>> 8) & 0xff]!}${hex[high & 0xff]!}-${hex[low >>> 8]!}${hex[low & 0xff]!}-`;
  }
  const offset = randomBytes(8);
  const r = pool;
  return `${prefix}${hex[0x70 | (counter >>> 8)]!}${hex[counter & 0xff]!}-${hex[0x80 | (r[offset]! & 0x3f)]!}${hex[r[offset + 1]!]!}-${hex[r[offset + 2]!]!}${hex[r[offset + 3]!]!}${hex[r[offset + 4]!]!}${hex[r[offset + 5]!]!}${hex[r[offset + 6]!]!}${hex[r[offset + 7]!]!}`;
}
