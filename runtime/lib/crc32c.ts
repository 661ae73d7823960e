// CRC-32C for HDFS packets (one per 512-byte chunk): through @node-rs/crc32, which uses the
// CPU's CRC32 instruction (~3× the JavaScript table code per chunk, which took a third of the
// native hdfs sink's CPU), else the JavaScript one of lib/kafka-records.ts: where the addon has
// no build for the platform, or in an agent bundle run without node_modules.
import { createRequire } from 'node:module';
import { crc32c as crc32cJs } from './kafka-records.js';

type Crc = (buf: Uint8Array, start: number, end: number) => number;

function loadNative(): Crc | undefined {
  // Through a name in a variable, so that a bundler leaves the addon to node_modules.
  const name = '@node-rs/crc32';
  try {
    const native = (createRequire(import.meta.url)(name) as { crc32c(b: Buffer): number }).crc32c;
    if (native(Buffer.from('123456789')) !== 0xe3069283) return undefined;
    return (buf, start, end) => native(Buffer.from(buf.buffer, buf.byteOffset + start, end - start));
  } catch {
    return undefined;
  }
}

/** CRC-32C of buf[start, end). */
export const crc32c: Crc = loadNative() ?? crc32cJs;
