/**
 * The entity hash every store shares, so a group's digest (and so the privacy guard's sticky noise)
 * is the same whichever store computed it: the first 8 bytes of the MD5 of the entity's UTF-8,
 * big-endian (ClickHouse's halfMD5; DuckDB: the first 16 hex digits of md5()), XOR-ed over the
 * group's entities and written in decimal.
 */
import { createHash } from 'node:crypto';

export function portableEntityHash(entity: string): bigint {
  return createHash('md5').update(entity).digest().readBigUInt64BE(0);
}

export function portableDigest(entities: readonly string[]): string {
  let digest = 0n;
  for (const entity of entities) digest ^= portableEntityHash(entity);
  return digest.toString();
}
