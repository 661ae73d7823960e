// The Kafka sink's own record batches: read back by @platformatic/kafka's reader (which the
// source uses), the CRC-32C and key partitions equal to Java's (values computed with Kafka
// 4.1's org.apache.kafka.common.utils.Utils.murmur2 / toPositive and Crc32C.compute in jshell).
// That the broker accepts them, and Flume's Java consumer reads them, is checked against the
// real peers in kafka.test.ts and kafka-flume.test.ts.
import { Reader, readRecordsBatch } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { crc32c, encodeRecordBatch, keyedPartition, murmur2 } from '../../runtime/lib/kafka-records.js';

// key, Utils.murmur2(key), toPositive(murmur2) % 7, Crc32C.compute(key)
const JAVA: [string, number, number, number][] = [
  ['', 275646681, 2, 0],
  ['a', -1563381124, 5, 3251651376],
  ['ab', 316155434, 0, 3802278198],
  ['abc', 479470107, 4, 910901175],
  ['abcd', -1323649548, 5, 2462583345],
  ['abcde', 461995741, 4, 3293632151],
  ['hello world', 1221641059, 2, 3381945770],
  ['key-12345', -952703915, 0, 1187017161],
  ['été', -2101193575, 4, 3634443658],
  ['0123456789abcdef0123', 203624608, 5, 4121529461],
];

describe('Kafka record batches written by the sink', () => {
  it.each(JAVA)('%j: murmur2, the keyed partition and CRC-32C are Java’s', (key, hash, partition, crc) => {
    const bytes = Buffer.from(key, 'utf8');
    expect(murmur2(bytes)).toBe(hash);
    expect(keyedPartition(bytes, 7)).toBe(partition);
    expect(crc32c(bytes)).toBe(crc);
  });

  it('a batch reads back record for record: keys, null keys, values, headers, timestamps, offsets', () => {
    const now = 1_765_000_000_000;
    const records = [
      { value: Buffer.from('first') },
      { key: Buffer.from('k1'), value: Buffer.from('x'.repeat(300)), timestamp: now - 5_000_000_000 },
      { value: Buffer.alloc(0), headers: [[Buffer.from('h'), Buffer.from('v')], [Buffer.from('é'), Buffer.alloc(0)]] as [Buffer, Buffer][] },
      ...Array.from({ length: 200 }, (_, i) => ({ key: Buffer.from(`key-${i}`), value: Buffer.from(`body ${i}`), timestamp: now + i * 1000 })),
    ];
    const batch = encodeRecordBatch(records, now);
    const read = readRecordsBatch(Reader.from(batch));
    expect(read.magic).toBe(2);
    expect(read.length).toBe(batch.length - 12);
    expect(read.crc).toBe(crc32c(batch, 21));
    expect(read.attributes).toBe(0);
    expect(read.producerId).toBe(-1n);
    expect(read.firstSequence).toBe(-1);
    expect(read.lastOffsetDelta).toBe(records.length - 1);
    expect(read.firstTimestamp).toBe(BigInt(now));
    expect(read.maxTimestamp).toBe(BigInt(now + 199_000));
    expect(read.records).toHaveLength(records.length);
    read.records.forEach((r, i) => {
      const want = records[i]!;
      expect(r.offsetDelta).toBe(i);
      expect(read.firstTimestamp + r.timestampDelta).toBe(BigInt(want.timestamp ?? now));
      expect(r.value.equals(want.value)).toBe(true);
      if ('key' in want && want.key) expect(Buffer.from(r.key).equals(want.key)).toBe(true);
      else expect(r.key === null || r.key === undefined || r.key.length === 0).toBe(true);
      expect(r.headers.map(([k, v]) => [Buffer.from(k).toString(), Buffer.from(v).toString()])).toEqual(
        ('headers' in want ? want.headers! : []).map(([k, v]) => [k.toString(), v.toString()]),
      );
    });
  });

  it('an empty batch is refused rather than written', () => {
    expect(() => encodeRecordBatch([], Date.now())).toThrow(/at least one record/);
  });
});
