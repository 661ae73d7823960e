// Avro container files for tests, written by avsc (an independent writer).
import avro from 'avsc';

export async function writeContainer(path: string, type: avro.Type, records: unknown[], codec: 'null' | 'deflate'): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const enc = avro.createFileEncoder(path, type, { codec, blockSize: 2048 });
    enc.on('error', reject);
    // The file stream closes after the encoder finishes.
    enc.on('finish', () => setTimeout(resolve, 50));
    for (const r of records) enc.write(r);
    enc.end();
  });
}
