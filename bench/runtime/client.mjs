// Load generator for bench/runtime.bench.mjs, run as its own process so that it never shares an
// event loop with the agent it loads.
//
//   node bench/runtime/client.mjs <netcat|http|syslog> <port> '<json options>'
//
// It builds its data, connects to 127.0.0.1:<port>, prints `ready`, waits for `go` on stdin,
// sends, and prints one JSON line: { ok, t0, t1, sent, acks, error? } (t0/t1: wall-clock ms,
// t1 when the last reply arrived, or for syslog when the last byte was handed to the kernel).
// Every run is bounded: it gives up after `timeoutMs` (default 60 s).
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { bodyText, syslogLine } from './data.mjs';

const [mode, portText, optsText] = process.argv.slice(2);
const port = Number(portText);
const opts = JSON.parse(optsText ?? '{}');
const timeoutMs = opts.timeoutMs ?? 60_000;
const now = () => performance.timeOrigin + performance.now();

function finish(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(result.ok ? 0 : 1);
}

setTimeout(() => finish({ ok: false, error: `client timed out after ${timeoutMs} ms` }), timeoutMs).unref();

function open() {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve(s));
    s.once('error', reject);
  });
}

function waitForGo() {
  process.stdout.write('ready\n');
  return new Promise((resolve) => {
    let buf = '';
    process.stdin.on('data', (d) => {
      buf += d;
      if (buf.includes('go')) resolve();
    });
  });
}

async function writeAll(sock, chunks, total) {
  let i = 0;
  for (let n = 0; n < total; n++) {
    if (!sock.write(chunks[i])) await new Promise((r) => sock.once('drain', r));
    i = (i + 1) % chunks.length;
  }
}

// ---- netcat: lines of `bodyBytes` + LF; counts the `OK` replies (3 bytes each) ----------------
async function netcat() {
  const { lines, bodyBytes, perChunk = 1000 } = opts;
  const chunks = [];
  for (let c = 0; c < 8; c++) {
    let text = '';
    for (let i = 0; i < perChunk; i++) text += `${bodyText(c * perChunk + i, bodyBytes)}\n`;
    chunks.push(Buffer.from(text));
  }
  const sock = await open();
  let replyBytes = 0;
  let failed = false;
  let t1 = 0;
  const acked = new Promise((resolve) => {
    sock.on('data', (d) => {
      if (d.indexOf(0x46) >= 0) failed = true; // an `F` of FAILED
      replyBytes += d.length;
      if (failed || replyBytes >= lines * 3) {
        t1 = now();
        resolve();
      }
    });
    sock.on('close', resolve);
  });
  await waitForGo();
  const t0 = now();
  await writeAll(sock, chunks, lines / perChunk);
  await acked;
  sock.destroy();
  const acks = Math.floor(replyBytes / 3);
  finish({ ok: !failed && acks === lines, t0, t1, sent: lines, acks, ...(failed ? { error: 'the source answered FAILED' } : {}) });
}

// ---- http: sequential JSON batches on one keep-alive connection --------------------------------
async function http() {
  const { requests, perRequest, bodyBytes, id = 0 } = opts;
  const reqs = [];
  for (let r = 0; r < 8; r++) {
    const events = [];
    for (let i = 0; i < perRequest; i++) {
      const n = (id * 8 + r) * perRequest + i;
      events.push({ headers: { host: 'bench', seq: String(n) }, body: bodyText(n, bodyBytes) });
    }
    const body = Buffer.from(JSON.stringify(events));
    const head = `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    reqs.push(Buffer.concat([Buffer.from(head), body]));
  }
  const sock = await open();
  let pending = Buffer.alloc(0);
  let waiter;
  sock.on('data', (d) => {
    pending = pending.length === 0 ? d : Buffer.concat([pending, d]);
    waiter?.();
  });
  sock.on('close', () => waiter?.());
  // One response: status line, headers, then Content-Length bytes or a chunked body.
  async function response() {
    for (;;) {
      const end = pending.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = pending.subarray(0, end).toString('latin1').toLowerCase();
        const status = Number(head.slice(9, 12));
        let total;
        const cl = /content-length:\s*(\d+)/.exec(head);
        if (cl) total = end + 4 + Number(cl[1]);
        else if (head.includes('transfer-encoding: chunked')) {
          const z = pending.indexOf('0\r\n\r\n', end + 4);
          if (z >= 0) total = z + 5;
        } else total = end + 4;
        if (total !== undefined && pending.length >= total) {
          pending = pending.subarray(total);
          return status;
        }
      }
      if (sock.destroyed) return 0;
      await new Promise((r) => (waiter = r));
      waiter = undefined;
    }
  }
  await waitForGo();
  const t0 = now();
  let okCount = 0;
  for (let i = 0; i < requests; i++) {
    sock.write(reqs[i % reqs.length]);
    const status = await response();
    if (status !== 200) {
      finish({ ok: false, t0, t1: now(), sent: i * perRequest, acks: okCount * perRequest, error: `status ${status}` });
      return;
    }
    okCount++;
  }
  const t1 = now();
  sock.destroy();
  finish({ ok: true, t0, t1, sent: requests * perRequest, acks: okCount * perRequest });
}

// ---- syslog: RFC 3164 lines over one connection, no replies ------------------------------------
async function syslog() {
  const { lines, bodyBytes, perChunk = 1000, baseTime = Date.UTC(2026, 10, 25, 10, 0, 0) } = opts;
  const chunks = [];
  for (let c = 0; c < lines / perChunk; c++) {
    let text = '';
    for (let i = 0; i < perChunk; i++) text += syslogLine(c * perChunk + i, bodyBytes, baseTime);
    chunks.push(Buffer.from(text));
  }
  const sock = await open();
  sock.on('error', () => undefined);
  await waitForGo();
  const t0 = now();
  await writeAll(sock, chunks, chunks.length);
  await new Promise((r) => sock.end(r));
  finish({ ok: true, t0, t1: now(), sent: lines, acks: 0 });
}

const modes = { netcat, http, syslog };
if (!modes[mode]) finish({ ok: false, error: `unknown mode ${mode}` });
modes[mode]().catch((e) => finish({ ok: false, error: String(e?.stack ?? e) }));
