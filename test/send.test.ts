// `flowc send`, the counterpart of `flume-ng avro-client`, run as a user runs it (a child
// process) against an Avro RPC server on loopback: lines of files and of standard input,
// headers from -H and -R, batches, a source that answers FAILED, and mistakes in the input.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Event } from '../runtime/core/event.js';
import type { Status } from '../runtime/rpc/protocol.js';
import { AvroServer } from '../runtime/rpc/server.js';
import { serverSecureContext } from '../runtime/rpc/tls.js';
import { flowcSend, selfSigned } from './helpers/tiers.js';
import type { SecureContext } from 'node:tls';
import { freePort, scratch } from './runtime/helpers.js';

const { work } = scratch();

interface Receiver {
  port: number;
  batches: Event[][];
  events: () => Event[];
}

const servers: AvroServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** An Avro RPC server that records each batch; `answer` decides the status of the n-th batch. */
async function receiver(answer: (n: number) => Status = () => 'OK', compression?: 'deflate', tls?: SecureContext): Promise<Receiver> {
  const batches: Event[][] = [];
  let n = 0;
  const server = new AvroServer({
    host: '127.0.0.1',
    port: 0,
    ...(compression ? { compression } : {}),
    ...(tls ? { tls } : {}),
    handler: {
      append: async (e) => {
        batches.push([e]);
        return 'OK';
      },
      appendBatch: async (events) => {
        const status = answer(n++);
        if (status === 'OK') batches.push(events.map((e) => ({ headers: { ...e.headers }, body: Buffer.from(e.body) })));
        return status;
      },
    },
  });
  servers.push(server);
  const port = await server.listen();
  return { port, batches, events: () => batches.flat() };
}

const bodies = (r: Receiver) => r.events().map((e) => e.body.toString('utf8'));

describe('flowc send', () => {
  it('sends each line of the files, in order and in batches, with -H and -R headers (-H wins)', async () => {
    const dir = work();
    const r = await receiver();
    writeFileSync(join(dir, 'a.log'), 'one\r\ntwo\n\nthree');
    writeFileSync(join(dir, 'b.log'), Array.from({ length: 250 }, (_, i) => `b${i}`).join('\n') + '\n');
    writeFileSync(join(dir, 'h.properties'), '# headers, as avro-client -R reads them\nteam = payments\nenv : staging\nsp\\ ace = a\\u00e9\n');
    const out = await flowcSend(['--port', String(r.port), '--host', '127.0.0.1', '-H', 'env=prod', '-H', 'x==y', '-R', 'h.properties', '--batch-size', '100', 'a.log', 'b.log'], { cwd: dir });
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^sent 254 event\(s\) in 3 batch\(es\) to 127\.0\.0\.1:\d+ \([\d.]+ s\); every batch was acknowledged\n$/);
    // An empty line is an event with an empty body, as avro-client sends it; \r\n ends a line too.
    expect(bodies(r)).toEqual(['one', 'two', '', 'three', ...Array.from({ length: 250 }, (_, i) => `b${i}`)]);
    expect(r.batches.map((b) => b.length)).toEqual([100, 100, 54]);
    expect({ ...r.events()[0]!.headers }).toEqual({ team: 'payments', env: 'prod', 'sp ace': 'aé', x: '=y' });
  });

  it('reads standard input when no file is named, and deflates when asked', async () => {
    const r = await receiver(undefined, 'deflate');
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'z'.repeat(i % 50)}`);
    const out = await flowcSend(['-p', String(r.port), '--host', '127.0.0.1', '--compression', 'deflate', '-b', '1000', '-q'], { input: lines.join('\n') + '\n' });
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe('');
    expect(out.status).toBe(0);
    expect(bodies(r)).toEqual(lines);
  });

  it('stops at the first batch the source does not acknowledge: exit 1, how many were delivered, where to start again', async () => {
    const dir = work();
    const r = await receiver((n) => (n < 3 ? 'OK' : 'FAILED'));
    writeFileSync(join(dir, 'in.log'), Array.from({ length: 1000 }, (_, i) => `e${i}`).join('\n'));
    const out = await flowcSend(['-p', String(r.port), '--host', '127.0.0.1', '-b', '50', 'in.log'], { cwd: dir });
    expect(out.status).toBe(1);
    expect(out.stderr).toBe(
      'error: a batch of 50 event(s) was not acknowledged: the source answered FAILED (its channel is full or failing; try again later)\n' +
        `150 event(s) were delivered to 127.0.0.1:${r.port}; the first not delivered is in.log:151, and nothing after it was sent\n`,
    );
    expect(bodies(r)).toEqual(Array.from({ length: 150 }, (_, i) => `e${i}`));
  });

  it('says clearly when nothing listens, and sends nothing', async () => {
    const port = await freePort();
    const out = await flowcSend(['-p', String(port), '--host', '127.0.0.1'], { input: 'a\n' });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain(`cannot connect to 127.0.0.1:${port}`);
    expect(out.stderr).toContain(`nothing was sent: is an avro source listening on 127.0.0.1:${port}?`);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });

  it('over TLS: trusts the certificate given with --truststore, and says what to do about one it does not trust', async () => {
    const dir = work();
    const cert = selfSigned(dir);
    const r = await receiver(undefined, undefined, serverSecureContext({ keystore: cert.keystore, keystorePassword: cert.password, keystoreType: 'PKCS12' }));
    const trusted = await flowcSend(['-p', String(r.port), '--host', '127.0.0.1', '--truststore', cert.certPem, '--truststore-type', 'PEM'], { input: 'secret 1\nsecret 2\n' });
    expect(trusted.stderr).toBe('');
    expect(trusted.status).toBe(0);
    expect(bodies(r)).toEqual(['secret 1', 'secret 2']);
    const untrusted = await flowcSend(['-p', String(r.port), '--host', '127.0.0.1', '--ssl'], { input: 'x\n' });
    expect(untrusted.status).toBe(1);
    expect(untrusted.stderr).toMatch(/^error: .*certificate.*\nnothing was sent: check the TLS options: --truststore FILE \(PKCS12 or PEM\) to trust the source's certificate, or --trust-all-certs\n$/);
    expect(bodies(r)).toHaveLength(2);
  });

  it('rejects bad input before connecting, with no stack trace', async () => {
    const dir = work();
    writeFileSync(join(dir, 'ok.log'), 'x\n');
    writeFileSync(join(dir, 'bad.properties'), 'k = \\u12\n');
    writeFileSync(join(dir, 'app.flow'), 'agent a on "127.0.0.1" {\n  source s : netcat { bind = "127.0.0.1", port = 4444 }\n  channel c : memory\n  sink k : null\n  s -> c -> k\n}\n');
    const cases: [string[], RegExp][] = [
      [['ok.log'], /^error: say where to send: `--port P` \(and `--host H`\), or `--flow app.flow --to agent.source`\n$/],
      [['-p', '99999', 'ok.log'], /^error: --port takes a whole number from 1 to 65535, not `99999`\n$/],
      [['-p', '4141', '-b', '0', 'ok.log'], /^error: --batch-size takes a whole number from 1 to 1000000, not `0`\n$/],
      [['-p', '4141', 'missing.log'], /^error: cannot read `missing.log`: no such file or folder\n$/],
      [['-p', '4141', '.'], /^error: `.` is not a file; name the files to send/],
      [['-p', '4141', '-H', 'novalue', 'ok.log'], /^error: -H takes `key=value`, not `novalue`\n$/],
      [['-p', '4141', '-R', 'bad.properties', 'ok.log'], /^error: bad.properties:1:5: Malformed \\uxxxx encoding\.\n$/],
      [['-p', '4141', '-', '-'], /^error: standard input \(`-`\) can be read only once\n$/],
      [['-p', '4141', '--compression-level', '5', 'ok.log'], /^error: --compression-level applies to --compression deflate\n$/],
      [['--to', 'a.s', 'ok.log'], /^error: --to names a source of a .flow file: add `--flow app.flow`\n$/],
      [['--flow', 'app.flow', '--to', 'a.s', 'ok.log'], /^error: `a.s` is a netcat source; `flowc send` speaks Avro RPC to an avro source\n$/],
      [['--flow', 'app.flow', '--to', 'b.s', 'ok.log'], /^error: no agent `b` in app.flow; it defines `a`\n$/],
      [['--flow', 'app.flow', '--to', 'a.r', 'ok.log'], /^error: agent `a` has no source `r`; its sources are `s`\n$/],
    ];
    const outs = await Promise.all(cases.map(([args]) => flowcSend(args, { cwd: dir })));
    cases.forEach(([args, message], i) => {
      expect({ args, stderr: outs[i]!.stderr }).toEqual({ args, stderr: expect.stringMatching(message) });
      expect(outs[i]!.status).toBe(2);
    });
  }, 90_000);
});
