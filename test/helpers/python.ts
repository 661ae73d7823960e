// Python with fastavro, installed by `bash test/peers/python.sh` into test/peers/.cache/python.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The venv's python; throws a message saying how to install it. */
export function fastavroPython(): string {
  const python = resolve('test/peers/.cache/python/bin/python');
  if (!existsSync(python)) throw new Error(`Python's fastavro (a test peer) is not installed: run bash test/peers/python.sh`);
  return python;
}

/** Every record of an Avro container file, read by fastavro, with bytes fields as latin1 text; and the file's codec. */
export function readAvroWithFastavro(file: string): { codec: string; schema: unknown; records: Record<string, unknown>[] } {
  const script = `
import json, sys, fastavro
with open(sys.argv[1], 'rb') as f:
    r = fastavro.reader(f)
    out = []
    for rec in r:
        out.append({k: (v.decode('latin1') if isinstance(v, bytes) else v) for k, v in rec.items()})
    print(json.dumps({'codec': r.codec, 'schema': r.writer_schema, 'records': out}))
`;
  return JSON.parse(execFileSync(fastavroPython(), ['-c', script, file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })) as never;
}
