// The taildir source: follows the files of each file group (a directory and a regular
// expression for file names), line by line, and records each file's inode and committed
// position in positionFile, in Flume's JSON format: [{"inode":…,"pos":…,"file":"…"}].
//
// Files are followed by inode, so rotation loses and repeats nothing:
//  - rename (app.log → app.log.1, a new app.log): the renamed file is still the same inode; it
//    is read to its end — through its open descriptor, or found again in its directory by
//    inode when the pattern no longer matches it — and the new file is read from its start.
//  - copy-truncate (app.log copied to app.log.1, then emptied): a file that shrank below its
//    position starts again at 0, as in Flume; the lines it had beyond the position before the
//    truncation are read from the copy, found in the same directory by its first bytes; a copy
//    the patterns match is not read again from its start.
// Positions are saved after every committed batch (and every writePosInterval), so after a
// crash no more than the batch in flight is read again.
//
// After a crash, generations rotated away since the source's last look at its directories are
// found by their change time (a rename sets it): positionFile's mtime is set to the time of that
// look, not of the write. A source reading a backlog commits (and writes positionFile) many
// times between two looks; had positionFile's own time counted, a generation created and
// rotated away meanwhile would have seemed older than the crash's view and never been read.
// Generations read to their end stay in positionFile (at their end) while they are that recent,
// so a restart does not read them again.
import { existsSync, fstatSync, readdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync, openSync, readSync, closeSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { PollableSource, SourceFactory, Status } from '../core/component.js';
import { ConfigError, need, paramBool, paramNumber, paramString } from '../core/config.js';
import { ChannelException, errorText } from '../core/errors.js';
import { newHeaders, type Headers } from '../core/event.js';
import { SourceCounter } from '../core/metrics.js';
import { javaRegex } from '../lib/regex.js';
import { HEAD_BYTES, TailFile } from '../lib/tail-file.js';

interface Group {
  name: string;
  dir: string;
  pattern: RegExp;
  headers: Headers;
}

interface Match {
  path: string;
  stat: Stats;
  headers: Headers;
}

/**
 * How much earlier than the clock a rename's change time may read: file systems stamp times from
 * a coarse clock (one scheduler tick behind), network ones from another machine's clock.
 */
const CTIME_SLACK_MS = 1000;

function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}

function readBytes(path: string, len: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.allocUnsafe(len);
    const n = readSync(fd, b, 0, len, 0);
    return b.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

const create: SourceFactory = (config, ctx) => {
  const p = config.params;
  const where = `source \`${config.name}\``;
  const num = (k: string) => need(paramNumber(p, k), config.name, k);
  const groupNames = (Array.isArray(p.filegroups) ? p.filegroups : String(p.filegroups ?? '').split(/\s+/)).filter((g) => g.length > 0);
  if (groupNames.length === 0) throw new ConfigError(`${where}: filegroups names no group`);
  const groups: Group[] = groupNames.map((g) => {
    const spec = paramString(p, `filegroups.${g}`);
    if (!spec) throw new ConfigError(`${where}: file group \`${g}\` has no filegroups.${g}`);
    const headers = newHeaders();
    const prefix = `headers.${g}.`;
    for (const k of Object.keys(p)) if (k.startsWith(prefix)) headers[k.slice(prefix.length)] = String(p[k]);
    return { name: g, dir: dirname(spec), pattern: javaRegex(`^(?:${basename(spec)})$`, '', `${where}: filegroups.${g}`), headers };
  });
  const positionFile = resolve(expandHome(need(paramString(p, 'positionFile'), config.name, 'positionFile')));
  const batchSize = num('batchSize');
  const maxBatchCount = paramNumber(p, 'maxBatchCount') ?? Number.MAX_SAFE_INTEGER;
  const skipToEnd = paramBool(p, 'skipToEnd') === true;
  const idleTimeout = num('idleTimeout');
  const writePosInterval = num('writePosInterval');
  const byteOffsetHeader = paramBool(p, 'byteOffsetHeader') === true;
  const fileHeaderKey = paramBool(p, 'fileHeader') ? need(paramString(p, 'fileHeaderKey'), config.name, 'fileHeaderKey') : undefined;
  const cache = paramBool(p, 'cachePatternMatching') !== false;
  const counter = new SourceCounter(config.name);

  /** Followed files by inode. */
  const files = new Map<number, TailFile>();
  /** Files no longer matched (renamed away, or copies): read to their end, then dropped. */
  const draining = new Map<number, TailFile>();
  /** Positions from positionFile not yet matched to a file. */
  let saved = new Map<number, { pos: number; file: string }>();
  const listing = new Map<string, { mtimeMs: number; names: string[]; at: number }>();
  let posTimer: NodeJS.Timeout | undefined;

  function names(dir: string): string[] {
    let st: Stats;
    try {
      st = statSync(dir);
    } catch {
      return [];
    }
    const c = listing.get(dir);
    const now = Date.now();
    // A directory's mtime has coarse steps on some file systems: trust the cache only once the
    // directory has been unchanged for two seconds.
    if (cache && c && c.mtimeMs === st.mtimeMs && now - st.mtimeMs > 2000) return c.names;
    let list: string[] = [];
    try {
      list = readdirSync(dir);
    } catch {
      // unreadable: nothing to follow there
    }
    listing.set(dir, { mtimeMs: st.mtimeMs, names: list, at: now });
    return list;
  }

  function matches(): Match[] {
    const out: Match[] = [];
    const seen = new Set<number>();
    for (const g of groups) {
      for (const n of names(g.dir)) {
        if (!g.pattern.test(n)) continue;
        const path = join(g.dir, n);
        let stat: Stats;
        try {
          stat = statSync(path);
        } catch {
          continue;
        }
        if (!stat.isFile() || seen.has(stat.ino)) continue;
        seen.add(stat.ino);
        out.push({ path, stat, headers: g.headers });
      }
    }
    return out;
  }

  function findByInode(dir: string, inode: number): string | undefined {
    let list: string[];
    try {
      list = readdirSync(dir);
    } catch {
      return undefined;
    }
    for (const n of list) {
      try {
        if (statSync(join(dir, n)).ino === inode) return join(dir, n);
      } catch {
        // gone
      }
    }
    return undefined;
  }

  /** Whether `path` starts with the same bytes as the followed file `tf` up to tf's position. */
  function isCopyOf(path: string, size: number, tf: TailFile): boolean {
    if (tf.pos === 0 || size < tf.pos || tf.head.length === 0) return false;
    const n = Math.min(tf.pos, 64 * 1024);
    const mine = readBytes(path, n);
    let theirs: Buffer;
    try {
      theirs = tf.fd !== undefined && tf.size() >= n ? (() => {
        const b = Buffer.allocUnsafe(n);
        return b.subarray(0, readSync(tf.fd!, b, 0, n, 0));
      })() : tf.head.subarray(0, Math.min(n, tf.head.length));
    } catch {
      theirs = tf.head;
    }
    return theirs.length > 0 && mine.subarray(0, theirs.length).equals(theirs);
  }

  /** Inode → position of copies whose lines are already read (or being read) from the original. */
  const copies = new Map<number, number>();

  /** A followed file shrank below its position: read what it had beyond it from its copy, then start it at 0. */
  function truncated(tf: TailFile, lastLook: number): void {
    const dir = dirname(tf.path);
    let list: string[] = [];
    try {
      list = readdirSync(dir);
    } catch {
      // nothing to rescue from
    }
    for (const n of list) {
      const path = join(dir, n);
      if (path === tf.path) continue;
      let st: Stats;
      try {
        st = statSync(path);
      } catch {
        continue;
      }
      if (!st.isFile() || st.ino === tf.inode || st.size < tf.pos || draining.has(st.ino)) continue;
      if (tf.head.length > 0) {
        const head = readBytes(path, Math.min(HEAD_BYTES, tf.head.length));
        if (!head.equals(tf.head.subarray(0, head.length))) continue;
      } else if (!n.startsWith(basename(tf.path)) || st.mtimeMs < lastLook || copies.has(st.ino) || files.has(st.ino)) {
        // Nothing of the file was seen: only a copy named after it and made since the last look will do.
        continue;
      }
      const copy = new TailFile(path, st.ino, tf.pos, tf.headers);
      copy.open();
      draining.set(st.ino, copy);
      copies.set(st.ino, st.size);
      const followed = files.get(st.ino);
      if (followed) {
        followed.close();
        files.delete(st.ino);
      }
      ctx.log.info(`${tf.path} was truncated (copy-truncate): reading its last lines from the copy ${path}`);
      break;
    }
    ctx.log.info(`Pos ${tf.pos} is larger than file size! Restarting from pos 0, file: ${tf.path}, inode: ${tf.inode}`);
    tf.pos = 0;
    tf.head = Buffer.alloc(0);
    tf.lastSize = 0;
  }

  /** Inodes read to their end and dropped (renamed-away files), so that they are not read again. */
  const finished = new Set<number>();
  /**
   * Of those, the ones a restart could take for generations it never read (changed since the
   * last look, less the slack): kept in positionFile at their end.
   */
  const recentlyFinished = new Map<number, { pos: number; file: string; ctimeMs: number }>();
  let previousLook = 0;

  /**
   * After a rename rotation: files named after a followed file, created since the last look and
   * never seen — a whole generation written and rotated away between two looks. Read from 0.
   */
  function skippedGenerations(dir: string, name: string, since: number): void {
    let list: string[] = [];
    try {
      list = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of list) {
      if (n === name || !n.startsWith(name)) continue;
      const path = join(dir, n);
      let st: Stats;
      try {
        st = statSync(path);
      } catch {
        continue;
      }
      const ino = st.ino;
      if (!st.isFile() || st.ctimeMs < since || files.has(ino) || draining.has(ino) || finished.has(ino) || copies.has(ino)) continue;
      ctx.log.info(`${path} was written and rotated away between two looks; reading it`);
      const tf = new TailFile(path, ino, 0, {});
      tf.open();
      draining.set(ino, tf);
    }
  }

  function update(): void {
    const firstLook = previousLook === 0;
    const since = previousLook - CTIME_SLACK_MS;
    previousLook = Date.now();
    // Oldest first, so that generations written between two looks are read in the order written.
    const found = matches().sort((a, b) => a.stat.mtimeMs - b.stat.mtimeMs);
    const present = new Set(found.map((m) => m.stat.ino));
    // Known inodes first (renames, truncations), then new ones (which may be copies).
    for (const m of found) {
      const tf = files.get(m.stat.ino);
      if (!tf) continue;
      if (tf.path !== m.path) {
        ctx.log.info(`${tf.path} was renamed to ${m.path}; following it there`);
        tf.path = m.path;
      }
      tf.headers = m.headers;
      if (tf.fd === undefined && m.stat.size > tf.pos) tf.open();
      // Truncated: smaller than at the last look, or no longer starting with the bytes it had
      // (truncated and written again past the old size between two looks).
      // An empty file that changed since the last look was written and emptied in between.
      const emptied = m.stat.size === 0 && tf.pos === 0 && tf.lastMtime !== 0 && m.stat.mtimeMs !== tf.lastMtime;
      if (m.stat.size < tf.lastSize || m.stat.size < tf.pos || emptied || tf.headChanged()) truncated(tf, tf.lastMtime);
      tf.readHead();
      tf.lastSize = m.stat.size;
      tf.lastMtime = m.stat.mtimeMs;
    }
    for (const m of found) {
      const ino = m.stat.ino;
      if (files.has(ino) || draining.has(ino)) continue;
      let pos: number;
      const s = saved.get(ino);
      const copyPos = copies.get(ino);
      if (s !== undefined) {
        pos = s.pos <= m.stat.size ? s.pos : 0;
        saved.delete(ino);
      } else if (copyPos !== undefined) {
        pos = copyPos;
      } else {
        const original = [...files.values()].find((tf) => dirname(tf.path) === dirname(m.path) && isCopyOf(m.path, m.stat.size, tf));
        if (original) {
          // A copy of a followed file (copy-truncate, before the truncation): its lines come from the original.
          ctx.log.info(`${m.path} is a copy of ${original.path}; its lines are read from there`);
          pos = m.stat.size;
          copies.set(ino, pos);
        } else pos = skipToEnd ? m.stat.size : 0;
      }
      const tf = new TailFile(m.path, ino, pos, m.headers);
      tf.open();
      tf.readHead();
      tf.lastSize = m.stat.size;
      tf.lastMtime = m.stat.mtimeMs;
      files.set(ino, tf);
    }
    // Followed files the patterns no longer match: renamed away or deleted. Read them to the end.
    for (const [ino, tf] of files) {
      if (present.has(ino)) continue;
      files.delete(ino);
      if (!firstLook) skippedGenerations(dirname(tf.path), basename(tf.path), since);
      if (tf.fd === undefined) {
        const path = findByInode(dirname(tf.path), ino);
        if (!path) continue;
        tf.path = path;
        tf.open();
      }
      draining.set(ino, tf);
    }
    // Saved positions of files renamed away while the agent was down (or since the last look
    // before a crash), then the generations written and rotated away after that look: named
    // after a file positionFile names or a file followed now.
    const gone = [...saved];
    saved.clear();
    for (const [ino, s] of gone) {
      const path = findByInode(dirname(s.file), ino);
      if (!path) continue;
      const tf = new TailFile(path, ino, s.pos, {});
      tf.open();
      draining.set(ino, tf);
    }
    if (firstLook && savedAt > 0) {
      const named = new Set([...gone.map(([, s]) => s.file), ...found.map((m) => m.path)]);
      for (const path of named) skippedGenerations(dirname(path), basename(path), savedAt);
    }
  }

  /**
   * Writes every position: followed and draining files, recently finished ones, and (before the
   * first look) the loaded positions not yet matched. Its mtime is the time of the last look
   * (less the slack), which a restart reads as the time since when generations may be unknown.
   */
  function savePositions(): void {
    const seenSince = previousLook > 0 ? previousLook - CTIME_SLACK_MS : savedAt;
    for (const [ino, f] of recentlyFinished) if (f.ctimeMs < seenSince) recentlyFinished.delete(ino);
    const list = [
      ...[...files.values(), ...draining.values()].map((tf) => ({ inode: tf.inode, pos: tf.pos, file: tf.path })),
      ...[...recentlyFinished].map(([inode, f]) => ({ inode, pos: f.pos, file: f.file })),
      ...[...saved].map(([inode, s]) => ({ inode, pos: s.pos, file: s.file })),
    ];
    const tmp = `${positionFile}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(list));
      if (seenSince > 0) utimesSync(tmp, new Date(), new Date(seenSince));
      renameSync(tmp, positionFile);
    } catch (e) {
      ctx.log.warn(`could not write positionFile ${positionFile}: ${errorText(e)}`);
    }
  }

  /** When positionFile was last written before this start. */
  let savedAt = 0;

  function loadPositions(): void {
    if (!existsSync(positionFile)) return;
    try {
      savedAt = statSync(positionFile).mtimeMs;
      const list = JSON.parse(readFileSync(positionFile, 'utf8')) as { inode: number; pos: number; file: string }[];
      if (!Array.isArray(list)) throw new Error('not a JSON array');
      saved = new Map(list.map((e) => [Number(e.inode), { pos: Number(e.pos), file: String(e.file) }]));
      ctx.log.info(`positionFile ${positionFile}: ${saved.size} positions`);
    } catch (e) {
      ctx.log.warn(`positionFile ${positionFile} cannot be read (${errorText(e)}); following every file from its start`);
    }
  }

  /** Reads and commits batches of one file; false when the channel refused a batch. */
  async function tail(tf: TailFile): Promise<{ events: number; ok: boolean }> {
    let total = 0;
    for (let batches = 0; batches < maxBatchCount; batches++) {
      const lines = tf.readLines(batchSize, (e, start) => {
        if (byteOffsetHeader) e.headers.byteoffset = String(start);
        if (fileHeaderKey) e.headers[fileHeaderKey] = tf.path;
      });
      if (lines.length === 0) break;
      const events = lines.map((l) => l.event);
      counter.eventReceived += events.length;
      counter.appendBatchReceived++;
      try {
        await ctx.processor.processEventBatch(events);
      } catch (e) {
        if (!(e instanceof ChannelException)) throw e;
        counter.channelWriteFail++;
        ctx.log.warn(`the channel refused a batch of ${tf.path}: ${errorText(e)}`);
        return { events: total, ok: false };
      }
      counter.eventAccepted += events.length;
      counter.appendBatchAccepted++;
      tf.pos = lines[lines.length - 1]!.end;
      if (tf.head.length < HEAD_BYTES) tf.readHead();
      total += events.length;
      savePositions();
      if (lines.length < batchSize) break;
    }
    return { events: total, ok: true };
  }

  const source: PollableSource = {
    driver: 'poll',
    backoffSleepIncrement: num('backoffSleepIncrement'),
    maxBackoffSleep: num('maxBackoffSleep'),
    endpoints: () => groups.map((g) => `file://${join(g.dir, g.pattern.source)}`),
    start() {
      for (const g of groups) {
        if (!existsSync(g.dir)) ctx.log.warn(`the directory ${g.dir} of file group ${g.name} does not exist (yet)`);
      }
      loadPositions();
      ctx.metrics.register(counter);
      counter.start();
      posTimer = setInterval(savePositions, writePosInterval);
      posTimer.unref();
    },
    stop() {
      clearInterval(posTimer);
      savePositions();
      for (const tf of files.values()) tf.close();
      for (const tf of draining.values()) tf.close();
      files.clear();
      draining.clear();
      counter.stop();
    },
    async process(): Promise<Status> {
      update();
      let events = 0;
      for (const [ino, tf] of draining) {
        const r = await tail(tf);
        events += r.events;
        if (!r.ok) return 'BACKOFF';
        if (r.events === 0) {
          let ctimeMs = Date.now();
          try {
            if (tf.fd !== undefined) ctimeMs = fstatSync(tf.fd).ctimeMs;
          } catch {
            // keep it as changed now: kept in positionFile until the next look
          }
          tf.close();
          draining.delete(ino);
          finished.add(ino);
          recentlyFinished.set(ino, { pos: tf.pos, file: tf.path, ctimeMs });
          savePositions();
        }
      }
      const now = Date.now();
      for (const tf of files.values()) {
        if (tf.fd === undefined) continue;
        const r = await tail(tf);
        events += r.events;
        if (!r.ok) return 'BACKOFF';
        if (r.events === 0 && now - tf.lastActivity > idleTimeout) tf.close();
      }
      return events > 0 ? 'READY' : 'BACKOFF';
    },
  };
  return source;
};

export default create;
