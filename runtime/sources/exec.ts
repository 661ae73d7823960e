// The exec source: runs a command and turns each line of its stdout into an event, written
// in batches of batchSize or after batchTimeout. Not reliable by design: when the channels
// refuse a batch, the batch is lost and the command is stopped (and, with `restart`, started
// again after restartThrottle, as it is whenever it exits).
import { spawn, type ChildProcess } from 'node:child_process';
import type { EventDrivenSource, SourceFactory } from '../core/component.js';
import { need, paramBool, paramNumber, paramString } from '../core/config.js';
import { errorText } from '../core/errors.js';
import { newHeaders, type Event } from '../core/event.js';
import { SourceCounter } from '../core/metrics.js';

const MAX_LINE = 16 * 1024 * 1024;

const create: SourceFactory = (config, ctx) => {
  const p = config.params;
  const command = need(paramString(p, 'command'), config.name, 'command');
  const shell = paramString(p, 'shell');
  const restart = paramBool(p, 'restart') ?? false;
  const throttle = need(paramNumber(p, 'restartThrottle'), config.name, 'restartThrottle');
  const logStdErr = paramBool(p, 'logStdErr') ?? false;
  const batchSize = need(paramNumber(p, 'batchSize'), config.name, 'batchSize');
  const batchTimeout = need(paramNumber(p, 'batchTimeout'), config.name, 'batchTimeout');
  const argv = shell ? [...shell.trim().split(/\s+/), command] : command.trim().split(/\s+/);
  const counter = new SourceCounter(config.name);

  let child: ChildProcess | undefined;
  let running = false;
  let batch: Event[] = [];
  let timer: NodeJS.Timeout | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let exited: Promise<void> = Promise.resolve();

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (batch.length === 0) return;
    const events = batch;
    batch = [];
    const proc = child;
    writing = writing.then(async () => {
      counter.appendBatchReceived++;
      counter.eventReceived += events.length;
      try {
        await ctx.processor.processEventBatch(events);
        counter.appendBatchAccepted++;
        counter.eventAccepted += events.length;
      } catch (e) {
        counter.channelWriteFail++;
        ctx.log.error(`lost ${events.length} line(s) the channels refused (${errorText(e)}); stopping the command`);
        if (proc && proc === child) proc.kill('SIGTERM');
      }
    });
  }

  function line(body: Buffer): void {
    if (body.length > 0 && body[body.length - 1] === 13) body = body.subarray(0, body.length - 1);
    batch.push({ headers: newHeaders(), body });
    if (batch.length >= batchSize) flush();
    else if (!timer) timer = setTimeout(flush, batchTimeout);
  }

  function launch(): Promise<void> {
    return new Promise((resolve, reject) => {
      const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      let pending: Buffer | undefined;
      let started = false;
      proc.once('spawn', () => {
        started = true;
        ctx.log.info(`started \`${command}\` (pid ${proc.pid})`);
        resolve();
      });
      exited = new Promise((done) => {
        proc.once('close', (code, signal) => {
          if (pending && pending.length > 0) line(pending);
          pending = undefined;
          flush();
          if (child === proc) child = undefined;
          if (started) ctx.log.info(`\`${command}\` exited (${signal ? `signal ${signal}` : `code ${code}`})`);
          if (started && running && restart) {
            ctx.log.info(`restarting \`${command}\` in ${throttle} ms`);
            restartTimer = setTimeout(() => {
              restartTimer = undefined;
              if (running) launch().catch((e) => ctx.fail(e));
            }, throttle);
          }
          done();
        });
      });
      proc.once('error', (e: NodeJS.ErrnoException) => {
        if (started) {
          ctx.log.error(`\`${command}\`: ${e.message}`);
          return;
        }
        if (e.code === 'ENOENT') reject(new Error(`command \`${argv[0]}\` not found (from \`${shell ? `${shell} ${command}` : command}\`)`));
        else if (e.code === 'EACCES') reject(new Error(`command \`${argv[0]}\` is not executable`));
        else reject(new Error(`cannot run \`${argv[0]}\`: ${e.message}`));
      });
      proc.stdout!.on('data', (chunk: Buffer) => {
        let data = pending ? Buffer.concat([pending, chunk]) : chunk;
        pending = undefined;
        let start = 0;
        for (;;) {
          const nl = data.indexOf(10, start);
          if (nl < 0) break;
          line(data.subarray(start, nl));
          start = nl + 1;
        }
        if (start < data.length) {
          data = data.subarray(start);
          if (data.length > MAX_LINE) line(data);
          else pending = data;
        }
      });
      proc.stderr!.on('data', (chunk: Buffer) => {
        if (!logStdErr) return;
        for (const l of chunk.toString('utf8').split('\n')) if (l.length > 0) ctx.log.info(`stderr: ${l}`);
      });
    });
  }

  const source: EventDrivenSource = {
    driver: 'event',
    async start() {
      ctx.metrics.register(counter);
      counter.start();
      running = true;
      await launch();
    },
    async stop() {
      running = false;
      if (restartTimer) clearTimeout(restartTimer);
      const proc = child;
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(t);
      }
      flush();
      await writing;
      counter.stop();
    },
    endpoints: () => [`exec: ${shell ? `${shell} ${command}` : command}`],
  };
  return source;
};

export default create;
