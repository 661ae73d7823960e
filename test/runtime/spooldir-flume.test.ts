// Side by side with real Apache Flume 1.11: the same Avro container files through Flume's
// spooldir source (deserializer AVRO, schema hash and literal) and through ours give the same
// events, bodies and headers.
import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { startFlumeAgent } from '../helpers/flume.js';
import { runFlow, scratch, takeAll, waitFor } from './helpers.js';
import { writeContainer } from './avro-files.js';
import { AvroContainerReader } from '../../runtime/lib/avro-container.js';

const { cleanup, work } = scratch();

const schemas: { name: string; schema: unknown; records: (i: number) => unknown; codec: 'null' | 'deflate' }[] = [
  {
    name: 'orders.avro',
    codec: 'deflate',
    schema: {
      type: 'record',
      name: 'Order',
      namespace: 'com.example.shop',
      doc: 'An order',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'customer', type: ['null', 'string'], default: null },
        { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID', 'SHIPPED'] } },
        { name: 'lines', type: { type: 'array', items: { type: 'record', name: 'Line', fields: [{ name: 'sku', type: 'string' }, { name: 'qty', type: 'int' }] } } },
        { name: 'attrs', type: { type: 'map', values: 'string' } },
        { name: 'digest', type: { type: 'fixed', name: 'Digest', size: 4 } },
        { name: 'price', type: 'double' },
        { name: 'paid', type: 'boolean' },
      ],
    },
    records: (i) => ({
      id: i,
      customer: i % 4 ? `c${i}` : null,
      status: ['NEW', 'PAID', 'SHIPPED'][i % 3],
      lines: [{ sku: `s${i}`, qty: i % 7 }],
      attrs: { k: String(i) },
      digest: Buffer.from([i & 255, 1, 2, 3]),
      price: i * 1.25,
      paid: i % 2 === 0,
    }),
  },
  // (Flume's deserializer reads only files whose schema is a record: a `"string"` schema makes it
  // fail with a ClassCastException. Ours reads any schema.)
  {
    name: 'words.avro',
    codec: 'null',
    schema: {
      type: 'record',
      name: 'Word',
      fields: [
        { name: 'text', type: 'string' },
        { name: 'value', type: ['null', 'long', 'string', { type: 'record', name: 'Pos', namespace: 'geo', fields: [{ name: 'x', type: 'float' }] }] },
        { name: 'raw', type: 'bytes' },
      ],
    },
    records: (i) => ({ text: `word ${i} ✓`, value: i % 3 === 0 ? null : i % 3 === 1 ? i : { x: i / 2 }, raw: Buffer.from([i & 255]) }),
  },
];

type Ev = { headers: Record<string, string>; body: string };
const key = (e: Ev) => JSON.stringify([Object.entries(e.headers).sort(), e.body]);

describe('spooldir AVRO side by side with Flume 1.11', () => {
  it('gives the same bodies and flume.avro.schema.hash / .literal headers as Flume', async () => {
    const dir = work();
    const src = join(dir, 'src');
    mkdirSync(src);
    for (const s of schemas) {
      const type = avro.Type.forSchema(s.schema as avro.Schema);
      await writeContainer(join(src, s.name), type, Array.from({ length: 120 }, (_, i) => s.records(i)), s.codec);
    }
    const dirs = ['flume-hash', 'flume-literal', 'ours-hash', 'ours-literal'].map((n) => {
      const d = join(dir, n);
      cpSync(src, d, { recursive: true });
      return d;
    });
    const out = join(dir, 'flume-out');
    mkdirSync(out);
    const flume = await startFlumeAgent({
      name: 'a1',
      properties: [
        'a1.sources = h l',
        'a1.channels = c',
        'a1.sinks = k',
        `a1.sources.h.type = spooldir`,
        `a1.sources.h.spoolDir = ${dirs[0]}`,
        'a1.sources.h.deserializer = AVRO',
        'a1.sources.h.basenameHeader = true',
        'a1.sources.h.channels = c',
        `a1.sources.l.type = spooldir`,
        `a1.sources.l.spoolDir = ${dirs[1]}`,
        'a1.sources.l.deserializer = AVRO',
        'a1.sources.l.deserializer.schemaType = LITERAL',
        'a1.sources.l.basenameHeader = true',
        'a1.sources.l.channels = c',
        'a1.channels.c.type = memory',
        'a1.channels.c.capacity = 10000',
        'a1.channels.c.transactionCapacity = 1000',
        'a1.sinks.k.type = file_roll',
        'a1.sinks.k.channel = c',
        `a1.sinks.k.sink.directory = ${out}`,
        'a1.sinks.k.sink.serializer = avro_event',
        'a1.sinks.k.sink.rollInterval = 0',
      ].join('\n'),
    });
    cleanup.push(() => flume.stop());
    const ours = await runFlow(`agent a {
      source h : spooldir { spoolDir = "${dirs[2]}", deserializer = "AVRO", basenameHeader = true, pollDelay = 50 }
      source l : spooldir { spoolDir = "${dirs[3]}", deserializer = "AVRO", deserializer.schemaType = "LITERAL", basenameHeader = true, pollDelay = 50 }
      channel c : memory { capacity = 10000, transactionCapacity = 1000 }
      h -> c
      l -> c }`);
    cleanup.unshift(() => ours.stop());
    const done = (d: string) => schemas.every((s) => existsSync(join(d, `${s.name}.COMPLETED`)));
    const mine: Ev[] = [];
    await waitFor(() => {
      mine.push(...takeAll(ours, 'c').map((e) => ({ headers: { ...e.headers }, body: e.body.toString('hex') })));
      return done(dirs[2]!) && done(dirs[3]!) && mine.length >= 480;
    }, 30_000, 'our source to finish');
    await waitFor(() => done(dirs[0]!) && done(dirs[1]!), 60_000, 'Flume to finish').catch((e: Error) => {
      throw new Error(`${e.message}:\n${flume.logText().slice(-3000)}`);
    });
    await flume.stop();

    const theirs: Ev[] = [];
    for (const name of readdirSync(out)) {
      const r = new AvroContainerReader(join(out, name));
      for (;;) {
        const recs = r.next(1000);
        if (recs.length === 0) break;
        for (const b of recs) {
          const e = r.type.fromBuffer(b) as { headers: Record<string, string>; body: Buffer };
          theirs.push({ headers: { ...e.headers }, body: e.body.toString('hex') });
        }
      }
      r.close();
    }
    expect(theirs.length).toBe(480);
    expect(mine.length).toBe(480);
    const literal = (es: Ev[]) => [...new Set(es.map((e) => e.headers['flume.avro.schema.literal']).filter(Boolean))].sort();
    expect(literal(mine)).toEqual(literal(theirs));
    const hashes = (es: Ev[]) => [...new Set(es.map((e) => e.headers['flume.avro.schema.hash']).filter(Boolean))].sort();
    expect(hashes(mine)).toEqual(hashes(theirs));
    expect(mine.map(key).sort()).toEqual(theirs.map(key).sort());
  }, 180_000);
});
