// The file_roll sink: writes events to files in a local directory, one batch per transaction
// (written and flushed before the commit), and starts a new file every rollInterval seconds
// (0: one file for ever). Names: DEFAULT `<prefix><start millis>-<n>[.<ext>]`, ROLLTIME
// `<prefix><yyyyMMddHHmmss>-<n>[.<ext>]`. Serializers: TEXT (the body) and HEADER_AND_TEXT
// (`{k=v, ...} body`), each followed by a newline when appendNewline.
// Speed: a batch is one write of one buffer. While writes are quick (the page cache takes
// them), the write is synchronous, as Flume's sink thread does it: handing it to the thread
// pool costs more than the write, and lets the sink fall behind the sources. After a write
// that took more than SLOW_WRITE_MS (a slow or busy disk), writes go to the thread pool for a
// minute, so that a slow disk holds up only this sink, not the sources of the agent.
import { accessSync, constants, mkdirSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Sink, SinkFactory } from '../core/component.js';
import { ConfigError, need, paramBool, paramNumber, paramString } from '../core/config.js';
import { javaMapText, type Event } from '../core/event.js';
import { SinkCounter } from '../core/metrics.js';
import { BatchBuffer } from '../lib/batch-buffer.js';
import { processBatch } from '../lib/sink-batch.js';

type Serialize = (e: Event, out: BatchBuffer) => void;

const SLOW_WRITE_MS = 20;
const ASYNC_AFTER_SLOW_MS = 60_000;

function serializer(kind: string, appendNewline: boolean, sink: string): Serialize {
  switch (kind.toUpperCase()) {
    case 'TEXT':
      return appendNewline
        ? (e, out) => {
            out.bytes(e.body);
            out.newline();
          }
        : (e, out) => out.bytes(e.body);
    case 'HEADER_AND_TEXT':
      return (e, out) => {
        out.text(`${javaMapText(e.headers)} `);
        out.bytes(e.body);
        if (appendNewline) out.newline();
      };
    default:
      throw new ConfigError(`sink \`${sink}\`: the runtime has no event serializer \`${kind}\`; use TEXT or HEADER_AND_TEXT`);
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function rollTime(d: Date): string {
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

const create: SinkFactory = (config, ctx) => {
  const p = config.params;
  const directory = resolve(need(paramString(p, 'sink.directory'), config.name, 'sink.directory'));
  const rollInterval = need(paramNumber(p, 'sink.rollInterval'), config.name, 'sink.rollInterval');
  const pathManager = (paramString(p, 'sink.pathManager') ?? 'DEFAULT').toUpperCase();
  const prefix = paramString(p, 'sink.pathManager.prefix') ?? '';
  const extension = paramString(p, 'sink.pathManager.extension') ?? '';
  const batchSize = need(paramNumber(p, 'sink.batchSize'), config.name, 'sink.batchSize');
  const kind = need(paramString(p, 'sink.serializer'), config.name, 'sink.serializer');
  const serialize = serializer(kind, paramBool(p, 'sink.serializer.appendNewline') ?? true, config.name);
  if (pathManager !== 'DEFAULT' && pathManager !== 'ROLLTIME') {
    throw new ConfigError(`sink \`${config.name}\`: the runtime has no path manager \`${pathManager}\`; use DEFAULT or ROLLTIME`);
  }
  const counter = new SinkCounter(config.name);
  const startMillis = Date.now();
  let fileIndex = 0;
  let lastStamp = '';
  let file: FileHandle | undefined;
  let currentPath = '';
  let shouldRotate = false;
  let timer: NodeJS.Timeout | undefined;
  const out = new BatchBuffer();
  /** Until when writes go to the thread pool (after a slow write). */
  let asyncUntil = 0;

  function nextName(): string {
    const ext = extension ? `.${extension}` : '';
    if (pathManager === 'ROLLTIME') {
      const stamp = rollTime(new Date());
      if (stamp !== lastStamp) {
        lastStamp = stamp;
        fileIndex = 0;
      }
      return `${prefix}${stamp}-${++fileIndex}${ext}`;
    }
    return `${prefix}${startMillis}-${++fileIndex}${ext}`;
  }

  async function closeFile(): Promise<void> {
    const f = file;
    file = undefined;
    if (f) {
      await f.close();
      counter.connectionClosed++;
    }
  }

  const sink: Sink = {
    start() {
      try {
        mkdirSync(directory, { recursive: true });
        accessSync(directory, constants.W_OK);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new Error(
          code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
            ? `the directory \`${directory}\` is not writable`
            : code === 'EEXIST' || code === 'ENOTDIR'
              ? `\`${directory}\` is not a directory`
              : `cannot create the directory \`${directory}\`: ${(e as Error).message}`,
        );
      }
      ctx.metrics.register(counter);
      counter.start();
      if (rollInterval > 0) {
        timer = setInterval(() => {
          shouldRotate = true;
        }, rollInterval * 1000);
        timer.unref();
      }
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await closeFile();
      counter.stop();
    },
    async process() {
      if (shouldRotate) {
        shouldRotate = false;
        await closeFile();
      }
      return processBatch(
        ctx.channel,
        batchSize,
        async (events) => {
          if (!file) {
            currentPath = join(directory, nextName());
            try {
              file = await open(currentPath, 'a');
            } catch (e) {
              counter.connectionFailed++;
              throw e;
            }
            counter.connectionCreated++;
          }
          out.reset();
          for (let i = 0; i < events.length; i++) serialize(events[i]!, out);
          const data = out.buf;
          const len = out.len;
          let off = 0;
          if (Date.now() >= asyncUntil) {
            const t0 = performance.now();
            while (off < len) off += writeSync(file.fd, data, off, len - off);
            if (performance.now() - t0 > SLOW_WRITE_MS) asyncUntil = Date.now() + ASYNC_AFTER_SLOW_MS;
          } else {
            while (off < len) off += (await file.write(data, off, len - off)).bytesWritten;
          }
        },
        counter,
      );
    },
    endpoints: () => [directory],
  };
  return sink;
};

export default create;
