/**
 * The cluster options of a ClickHouse store address (`?cluster=NAME&nodes=host:port,…`), read
 * before any connection: what a typo or a hostile value in LOGMILL_STORE gets.
 */
import { describe, expect, it } from 'vitest';
import { parseClusterAddress } from '../store/clickhouse/cluster.js';

describe('a ClickHouse store address with cluster options', () => {
  it('names a cluster and, optionally, every node', () => {
    expect(parseClusterAddress('clickhouse://ch-1:8123/logmill')).toBeUndefined();
    expect(parseClusterAddress('clickhouse://ch-1:8123/logmill?cluster=logmill')).toEqual({ name: 'logmill' });
    expect(parseClusterAddress('clickhouses://u:p@ch-1:8443/logmill?cluster=logs_eu&nodes=ch-1:8443, ch-2:8443')).toEqual({ name: 'logs_eu', nodes: ['ch-1:8443', 'ch-2:8443'] });
  });

  it('refuses what it would otherwise splice into SQL or ignore', () => {
    expect(() => parseClusterAddress("clickhouse://ch-1:8123/logmill?cluster=a');DROP")).toThrow(/invalid ClickHouse cluster name/);
    expect(() => parseClusterAddress('clickhouse://ch-1:8123/logmill?cluster=logmill&nodes=ch-1')).toThrow(/invalid ClickHouse node "ch-1": use host:port/);
    expect(() => parseClusterAddress('clickhouse://ch-1:8123/logmill?cluster=logmill&nodes=ch-1:8123/x')).toThrow(/invalid ClickHouse node/);
    expect(() => parseClusterAddress('clickhouse://ch-1:8123/logmill?nodes=ch-1:8123')).toThrow(/"nodes" needs "cluster"/);
    expect(() => parseClusterAddress('clickhouse://ch-1:8123/logmill?cluster=logmill&shards=2')).toThrow(/unknown ClickHouse store option "shards"/);
  });
});
