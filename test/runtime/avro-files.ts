// Avro container files for tests, written by avsc (an independent writer).
import { writeFileSync } from 'node:fs';
import avro from 'avsc';

/** Encodes `records` as an Avro container file (blocks of about 2 KB) and writes it whole. */
export async function writeContainer(path: string, type: avro.Type, records: unknown[], codec: 'null' | 'deflate'): Promise<void> {
  writeFileSync(path, await containerBytes(type, records, codec));
}

export function containerBytes(type: avro.Type, records: unknown[], codec: 'null' | 'deflate'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const enc = new avro.streams.BlockEncoder(type, { codec, blockSize: 2048 });
    const chunks: Buffer[] = [];
    enc.on('data', (c: Buffer) => chunks.push(c));
    enc.on('error', reject);
    enc.on('end', () => resolve(Buffer.concat(chunks)));
    for (const r of records) enc.write(r);
    enc.end();
  });
}
