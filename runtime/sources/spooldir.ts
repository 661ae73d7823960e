// The spooling directory source: reads files dropped into spoolDir, one at a time, cut into
// events by a deserializer (LINE, BLOB, AVRO: runtime/lib/spool-readers.ts), one batch per
// transaction. After each committed batch the position in the file is saved in
// `<trackerDir>/.flumespool-main.meta` (write, rename), so that after a crash the source goes on
// where the last committed batch ended: a file is never skipped, and no more than the batch in
// flight at the crash is read twice. A finished file is renamed with fileSuffix, deleted
// (deletePolicy = immediate), or marked in trackerDir (trackingPolicy = tracker_dir).
//
// As in Flume, files must not change once dropped: a file whose size or modification time
// changed while it was read, or whose completed name is already taken, stops the source with
// Flume's message ("File has been modified since being read: …"); a restart goes on with it.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import type { PollableSource, SourceFactory, Status } from '../core/component.js';
import { ConfigError, need, paramBool, paramNumber, paramString } from '../core/config.js';
import { ChannelException, errorText } from '../core/errors.js';
import { SourceCounter } from '../core/metrics.js';
import { javaRegex } from '../lib/regex.js';
import { deserializerKind, openReader, startPosition, DecodeError, type ReaderOptions, type ReaderPosition, type SpoolReader } from '../lib/spool-readers.js';

const META = '.flumespool-main.meta';

interface Current {
  path: string;
  stat: Stats;
  reader: SpoolReader;
  position: ReaderPosition;
}

interface SavedPosition {
  path: string;
  ino: number;
  position: ReaderPosition;
}

const create: SourceFactory = (config, ctx) => {
  const p = config.params;
  const where = `source \`${config.name}\``;
  const str = (k: string) => need(paramString(p, k), config.name, k);
  const num = (k: string) => need(paramNumber(p, k), config.name, k);
  const spoolDir = resolve(str('spoolDir'));
  const trackerDirParam = str('trackerDir');
  const trackerDir = isAbsolute(trackerDirParam) ? trackerDirParam : join(spoolDir, trackerDirParam);
  const suffix = str('fileSuffix');
  const deleteImmediately = str('deletePolicy') === 'immediate';
  const trackInDir = paramString(p, 'trackingPolicy') === 'tracker_dir';
  const fileHeaderKey = paramBool(p, 'fileHeader') ? str('fileHeaderKey') : undefined;
  const basenameHeaderKey = paramBool(p, 'basenameHeader') ? str('basenameHeaderKey') : undefined;
  const include = javaRegex(`^(?:${str('includePattern')})$`, '', `${where}: includePattern`);
  const ignore = javaRegex(`^(?:${str('ignorePattern')})$`, '', `${where}: ignorePattern`);
  const order = str('consumeOrder');
  const recursive = paramBool(p, 'recursiveDirectorySearch') === true;
  const batchSize = num('batchSize');
  const pollDelay = num('pollDelay');
  const maxBackoff = num('maxBackoff');
  const readerOptions: ReaderOptions = {
    deserializer: deserializerKind(str('deserializer'), where),
    maxLineLength: paramNumber(p, 'deserializer.maxLineLength') ?? paramNumber(p, 'bufferMaxLineLength') ?? 2048,
    maxBlobLength: paramNumber(p, 'deserializer.maxBlobLength') ?? 100000000,
    inputCharset: str('inputCharset'),
    outputCharset: paramString(p, 'deserializer.outputCharset') ?? 'UTF-8',
    decodeErrorPolicy: str('decodeErrorPolicy') as ReaderOptions['decodeErrorPolicy'],
    schemaType: (paramString(p, 'deserializer.schemaType') ?? 'HASH').toUpperCase() === 'LITERAL' ? 'LITERAL' : 'HASH',
  };
  const counter = new SourceCounter(config.name);
  let current: Current | undefined;
  let fatal: string | undefined;
  let channelBackoff = 0;
  const metaPath = join(trackerDir, META);

  function completedMarker(path: string): string {
    return join(trackerDir, relative(spoolDir, path) + suffix);
  }

  /** Files waiting to be read, as Flume chooses them: not hidden, not completed, matching the patterns. */
  function candidates(dir: string, out: { path: string; stat: Stats }[]): void {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      throw new Error(`cannot list the spooling directory ${dir}: ${errorText(e)}`);
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      let st: Stats;
      try {
        st = statSync(path);
      } catch {
        continue; // removed meanwhile
      }
      if (st.isDirectory()) {
        if (recursive && resolve(path) !== resolve(trackerDir)) candidates(path, out);
        continue;
      }
      if (!st.isFile() || name.endsWith(suffix) || ignore.test(name) || !include.test(name)) continue;
      if (trackInDir && existsSync(completedMarker(path))) continue;
      out.push({ path, stat: st });
    }
  }

  function pick(): { path: string; stat: Stats } | undefined {
    const all: { path: string; stat: Stats }[] = [];
    candidates(spoolDir, all);
    if (all.length === 0) return undefined;
    if (order === 'random') return all[Math.floor(Math.random() * all.length)];
    const sign = order === 'youngest' ? -1 : 1;
    all.sort((a, b) => sign * (a.stat.mtimeMs - b.stat.mtimeMs) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return all[0];
  }

  function savePosition(c: Current): void {
    const saved: SavedPosition = { path: c.path, ino: c.stat.ino, position: c.position };
    const tmp = `${metaPath}.tmp`;
    writeFileSync(tmp, JSON.stringify(saved));
    renameSync(tmp, metaPath);
  }

  function savedPosition(): SavedPosition | undefined {
    try {
      return JSON.parse(readFileSync(metaPath, 'utf8')) as SavedPosition;
    } catch {
      return undefined;
    }
  }

  function open(): Current | undefined {
    // A file being read when the agent stopped comes first, from its saved position.
    const saved = savedPosition();
    if (saved) {
      try {
        const stat = statSync(saved.path);
        if (stat.ino === saved.ino && stat.isFile()) {
          const reader = openReader(saved.path, readerOptions);
          reader.seek(saved.position);
          ctx.log.info(`resuming ${saved.path} where the last committed batch ended`);
          return { path: saved.path, stat, reader, position: saved.position };
        }
      } catch {
        // gone or renamed: it was finished
      }
    }
    const next = pick();
    if (!next) return undefined;
    const reader = openReader(next.path, readerOptions);
    const c: Current = { path: next.path, stat: next.stat, reader, position: startPosition(readerOptions) };
    savePosition(c);
    ctx.log.info(`preparing to read ${next.path}`);
    return c;
  }

  /** Renames, deletes or marks a finished file; throws Flume's errors when the file changed. */
  function finish(c: Current): void {
    c.reader.close();
    const now = statSync(c.path);
    if (now.mtimeMs !== c.stat.mtimeMs) throw new Error(`File has been modified since being read: ${c.path}`);
    if (now.size !== c.stat.size) throw new Error(`File has changed size since being read: ${c.path}`);
    if (deleteImmediately) {
      unlinkSync(c.path);
    } else if (trackInDir) {
      const marker = completedMarker(c.path);
      mkdirSync(resolve(marker, '..'), { recursive: true });
      writeFileSync(marker, '');
    } else {
      const dest = c.path + suffix;
      if (existsSync(dest)) throw new Error(`File name has been re-used with different files. Spooling assumptions violated for ${dest}`);
      renameSync(c.path, dest);
    }
    try {
      unlinkSync(metaPath);
    } catch {
      // none
    }
    ctx.log.info(`finished ${c.path}`);
  }

  const source: PollableSource = {
    driver: 'poll',
    backoffSleepIncrement: pollDelay,
    maxBackoffSleep: pollDelay,
    endpoints: () => [`file://${spoolDir}`],
    start() {
      let st: Stats;
      try {
        st = statSync(spoolDir);
      } catch {
        throw new ConfigError(`${where}: the spooling directory ${spoolDir} does not exist; create it, or fix spoolDir`);
      }
      if (!st.isDirectory()) throw new ConfigError(`${where}: spoolDir ${spoolDir} is not a directory`);
      mkdirSync(trackerDir, { recursive: true });
      ctx.metrics.register(counter);
      counter.start();
    },
    stop() {
      current?.reader.close();
      current = undefined;
      counter.stop();
    },
    async process(): Promise<Status> {
      if (fatal) return 'BACKOFF';
      if (channelBackoff > 0) {
        await new Promise((r) => setTimeout(r, channelBackoff));
      }
      try {
        if (!current) current = open();
        const c = current;
        if (!c) return 'BACKOFF';
        const read = c.reader.read(batchSize);
        if (read.events.length > 0) {
          for (const e of read.events) {
            if (fileHeaderKey) e.headers[fileHeaderKey] = c.path;
            if (basenameHeaderKey) e.headers[basenameHeaderKey] = basename(c.path);
          }
          const n = read.events.length;
          counter.eventReceived += n;
          if (n === 1) counter.appendReceived++;
          else counter.appendBatchReceived++;
          try {
            await ctx.processor.processEventBatch(read.events);
          } catch (e) {
            if (!(e instanceof ChannelException)) throw e;
            counter.channelWriteFail++;
            c.reader.seek(c.position); // read the same batch again
            channelBackoff = Math.min(maxBackoff, Math.max(250, channelBackoff * 2));
            ctx.log.warn(`the channel is full, retrying in ${channelBackoff} ms: ${errorText(e)}`);
            return 'READY';
          }
          channelBackoff = 0;
          counter.eventAccepted += n;
          if (n === 1) counter.appendAccepted++;
          else counter.appendBatchAccepted++;
          c.position = read.position;
          savePosition(c);
        }
        if (read.end) {
          current = undefined;
          finish(c);
          return 'READY';
        }
        return read.events.length > 0 ? 'READY' : 'BACKOFF';
      } catch (e) {
        const msg = errorText(e);
        if (e instanceof DecodeError || /^File (has|name)/.test(msg)) {
          fatal = msg;
          current = undefined;
          ctx.log.error(
            `FATAL: spooling directory source ${config.name}: ${msg}. Uncaught exception in SpoolDirectorySource thread. ` +
              'Restart or reconfigure Flume to continue processing.',
          );
          return 'BACKOFF';
        }
        throw e;
      }
    },
  };
  return source;
};

export default create;
