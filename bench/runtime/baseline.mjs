// Plain-Node baselines for bench/runtime.bench.mjs: the least work a Node process can do for the
// same input, measured in the same run on the same machine, so that the agent's figures can be
// read as ratios rather than as absolute numbers on a noisy 2-core box.
//
//   node bench/runtime/baseline.mjs lines-ok   <port>            TCP; counts LF-terminated lines, answers `OK\n` per line
//   node bench/runtime/baseline.mjs http-json  <port>            HTTP; JSON.parse of each body, 200 keep-alive
//   node bench/runtime/baseline.mjs lines-file <port> <file> <n> TCP; counts lines, appends the bytes to <file>
//   node bench/runtime/baseline.mjs seq-loop   <n> <batch>       the seq source's events, made as it makes them and dropped, in batches
//   node bench/runtime/baseline.mjs idle       <port>            an empty TCP server (start-up time, idle RSS)
//
// Servers print `{"ready":port}` once listening; lines-file prints `{"done":t,"lines":n}` when
// <n> lines are counted and written; seq-loop prints `{"t0":..,"t1":..}`. They run until killed,
// and exit by themselves after 120 s.
import { createServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { openSync, write as fsWrite } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [mode, ...args] = process.argv.slice(2);
const now = () => performance.timeOrigin + performance.now();
const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
setTimeout(() => process.exit(3), 120_000).unref();

function countLf(b) {
  let n = 0;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
  return n;
}

function listen(server, port) {
  server.listen(port, '127.0.0.1', () => say({ ready: server.address().port }));
}

const OK = Buffer.from('OK\n'.repeat(1 << 16));

const modes = {
  'lines-ok'(port) {
    listen(
      createServer((s) => {
        s.setNoDelay(true);
        s.on('data', (d) => {
          let n = countLf(d);
          while (n > 0) {
            const k = Math.min(n, 1 << 16);
            s.write(OK.subarray(0, k * 3));
            n -= k;
          }
        });
        s.on('error', () => undefined);
      }),
      Number(port),
    );
  },

  'http-json'(port) {
    let events = 0;
    const server = createHttpServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (!Array.isArray(parsed)) {
          res.writeHead(400).end();
          return;
        }
        events += parsed.length;
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', connection: 'keep-alive' });
        res.end();
      });
    });
    server.keepAliveTimeout = 5000;
    listen(server, Number(port));
  },

  'lines-file'(port, file, n) {
    const want = Number(n);
    const fd = openSync(file, 'a');
    let lines = 0;
    let writing = 0;
    let reported = false;
    const check = () => {
      if (!reported && lines >= want && writing === 0) {
        reported = true;
        say({ done: now(), lines });
      }
    };
    listen(
      createServer((s) => {
        s.on('data', (d) => {
          lines += countLf(d);
          writing++;
          fsWrite(fd, d, 0, d.length, null, (e) => {
            if (e) throw e;
            writing--;
            check();
          });
        });
        s.on('error', () => undefined);
      }),
      Number(port),
    );
  },

  'seq-loop'(n, batch) {
    const total = Number(n);
    const size = Number(batch);
    const queue = [];
    const t0 = now();
    let sent = 0;
    let taken = 0;
    // Bodies as the seq source makes them: the digits of a batch written into one buffer.
    const step = () => {
      const end = Math.min(total, sent + size);
      const buf = Buffer.allocUnsafe((end - sent) * String(end).length);
      let off = 0;
      for (; sent < end; sent++) {
        let v = sent;
        let len = 1;
        for (let t = v; t >= 10; t = (t / 10) | 0) len++;
        for (let p = off + len - 1; p >= off; p--) {
          const q = (v / 10) | 0;
          buf[p] = 0x30 + v - q * 10;
          v = q;
        }
        queue.push({ headers: {}, body: buf.subarray(off, off + len) });
        off += len;
      }
      while (queue.length > 0) {
        queue.pop();
        taken++;
      }
      if (taken < total) setImmediate(step);
      else say({ t0, t1: now(), events: taken });
    };
    step();
  },

  idle(port) {
    listen(createServer(() => undefined), Number(port));
  },
};

if (!modes[mode]) {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
modes[mode](...args);
