// The hdfs sink: Flume's HDFSEventSink over three backends: HDFS natively (`hdfs://`: Hadoop
// RPC to the namenode, DataTransferProtocol to the datanodes), HDFS through WebHDFS
// (`webhdfs://`, `swebhdfs://`, or any of them with hdfs.webhdfsUrl) and local or mounted file
// systems (`file://`, plain paths). Each event goes to
// the bucket its escaped hdfs.path and hdfs.filePrefix name (runtime/lib/bucket-path.ts); a
// batch's events are written bucket by bucket and made durable (fdatasync, hflush, or WebHDFS APPEND)
// before the take commits; a failure rolls the take back. At most hdfs.maxOpenFiles buckets
// keep a file open (the least recently used is closed beyond it); stop closes and renames them.
// A busy sink groups several transactions into one append (see processTransactions).
// Files, names and rolling: hdfs/bucket-writer.ts; file formats: hdfs/formats.ts.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Transaction } from '../core/channel.js';
import type { Sink, SinkContext, SinkFactory, Status } from '../core/component.js';
import { ConfigError, need, paramBool, paramNumber, paramString, type Params, type SinkConfig } from '../core/config.js';
import { ChannelException, EventDeliveryException, errorText } from '../core/errors.js';
import type { Event } from '../core/event.js';
import { SinkCounter } from '../core/metrics.js';
import { takeOnto } from '../lib/sink-batch.js';
import { compileBucketPath, resolveHostNames, staticNames, type BucketPathFn, type BucketPathOptions, type RoundUnit } from '../lib/bucket-path.js';
import { BucketWriter, systemClock, type BucketSettings, type SinkClock } from './hdfs/bucket-writer.js';
import { fileFormatOf } from './hdfs/formats.js';
import { addressOf, type FileSystemAddress, type SinkFileSystem } from './hdfs/fs.js';
import { LocalFileSystem } from './hdfs/local-fs.js';
import { nativeHdfsFileSystem } from './hdfs/native-fs.js';
import { webHdfsFileSystem } from './hdfs/webhdfs-fs.js';

export interface HdfsSinkOptions {
  /** Roll and idle timers (tests pass a fake clock). */
  clock?: SinkClock;
}

/** hdfs.* settings Flume has and the runtime cannot honour: refused rather than ignored. */
function refuseUnsupported(p: Params, sink: string): void {
  if (paramString(p, 'hdfs.kerberosPrincipal') || paramString(p, 'hdfs.kerberosKeytab')) {
    throw new ConfigError(
      `sink \`${sink}\`: hdfs.kerberosPrincipal / hdfs.kerberosKeytab: the flowc runtime reaches HDFS without Kerberos (neither natively nor through WebHDFS with SPNEGO); build this agent for Apache Flume (flowc build --target properties) to write to a secure HDFS`,
    );
  }
}

function pathOptions(p: Params, sink: string): BucketPathOptions {
  const round = paramBool(p, 'hdfs.round') ?? false;
  const opts: BucketPathOptions = {
    timeZone: paramString(p, 'hdfs.timeZone'),
    useLocalTimeStamp: paramBool(p, 'hdfs.useLocalTimeStamp') ?? false,
  };
  if (round) {
    opts.round = {
      unit: (paramString(p, 'hdfs.roundUnit') ?? 'second').toLowerCase() as RoundUnit,
      value: paramNumber(p, 'hdfs.roundValue') ?? 1,
    };
  }
  // Checked now (zone names, round values), so that a mistake stops the agent at start.
  try {
    compileBucketPath('%Y', opts);
  } catch (e) {
    throw new ConfigError(`sink \`${sink}\`: ${(e as Error).message}`);
  }
  return opts;
}

/** Where an escaped directory lives on its backend: a local absolute path, or the HDFS path. */
function backendPath(address: FileSystemAddress, escaped: string): string {
  if (address.scheme === 'file') {
    if (address.prefixLength === 0) return resolve(escaped);
    return fileURLToPath(`file://${escaped.slice(address.prefixLength)}`);
  }
  const path = escaped.slice(address.prefixLength);
  return path.startsWith('/') ? path : `/${path}`;
}

/**
 * The backend a path names: local paths; hdfs:// natively (unless hdfs.webhdfsUrl names a
 * WebHDFS address); webhdfs:// and swebhdfs:// through WebHDFS.
 */
function fileSystemOf(address: FileSystemAddress, p: Params, name: string): SinkFileSystem {
  if (address.scheme === 'file') return new LocalFileSystem();
  if (address.scheme === 'hdfs' && !paramString(p, 'hdfs.webhdfsUrl')) return nativeHdfsFileSystem(address, p, name);
  return webHdfsFileSystem(address, p, name);
}

export function createHdfsSink(config: SinkConfig, ctx: SinkContext, options: HdfsSinkOptions = {}): Sink {
  const p = config.params;
  const name = config.name;
  const pathTemplate = need(paramString(p, 'hdfs.path'), name, 'hdfs.path');
  const prefixTemplate = paramString(p, 'hdfs.filePrefix') ?? 'FlumeData';
  const address = addressOf(pathTemplate, name, paramString(p, 'hdfs.webhdfsUrl'));
  refuseUnsupported(p, name);
  const clock = options.clock ?? systemClock;
  const format = fileFormatOf(p, name, () => clock.now());
  const escapeOptions = pathOptions(p, name);
  const batchSize = need(paramNumber(p, 'hdfs.batchSize'), name, 'hdfs.batchSize');
  const maxOpenFiles = paramNumber(p, 'hdfs.maxOpenFiles') ?? 5000;
  const counter = new SinkCounter(name);
  const log = ctx.log;
  const fs: SinkFileSystem = fileSystemOf(address, p, name);

  // Flume: closeTries 0 (or less) tries until it works; retryInterval 0 (or less) makes one attempt.
  const retryIntervalS = paramNumber(p, 'hdfs.retryInterval') ?? 180;
  const tries = paramNumber(p, 'hdfs.closeTries') ?? 0;
  const closeTries = retryIntervalS <= 0 ? 1 : tries <= 0 ? Infinity : tries;

  /** Open writers by bucket key, least recently used first. */
  const writers = new Map<string, BucketWriter>();
  let queue: Promise<void> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn);
    queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };

  const settings: BucketSettings = {
    fs,
    format,
    inUsePrefix: paramString(p, 'hdfs.inUsePrefix') ?? '',
    inUseSuffix: paramBool(p, 'hdfs.emptyInUseSuffix') ? '' : (paramString(p, 'hdfs.inUseSuffix') ?? '.tmp'),
    fileSuffix: paramString(p, 'hdfs.fileSuffix') ?? '',
    rollIntervalS: paramNumber(p, 'hdfs.rollInterval') ?? 30,
    rollSize: paramNumber(p, 'hdfs.rollSize') ?? 1024,
    rollCount: paramNumber(p, 'hdfs.rollCount') ?? 10,
    idleTimeoutS: paramNumber(p, 'hdfs.idleTimeout') ?? 0,
    callTimeoutMs: paramNumber(p, 'hdfs.callTimeout') ?? 30000,
    closeTries,
    retryIntervalS,
    clock,
    counter,
    log,
    exclusive: (fn) => exclusive(fn),
    forget(w) {
      if (writers.get(w.key) === w) writers.delete(w.key);
    },
    pending: new Set(),
  };

  let pathOf: BucketPathFn = () => pathTemplate;
  let prefixOf: BucketPathFn = () => prefixTemplate;

  async function writerFor(key: string, dir: string, prefix: string): Promise<BucketWriter> {
    let w = writers.get(key);
    if (w && !w.done) {
      writers.delete(key);
      writers.set(key, w);
      return w;
    }
    w = new BucketWriter(key, backendPath(address, dir), prefix, settings);
    writers.set(key, w);
    while (writers.size > maxOpenFiles) {
      const [, eldest] = writers.entries().next().value as [string, BucketWriter];
      log.info(`closing ${eldest.openPath ?? eldest.key}: more than hdfs.maxOpenFiles (${maxOpenFiles}) files open`);
      await eldest.close(true);
    }
    return w;
  }

  async function deliver(events: Event[]): Promise<void> {
    if (pathOf.constant !== undefined && prefixOf.constant !== undefined) {
      // No escapes: every event goes to the one bucket, with no per-event work.
      const w = await writerFor(`${pathOf.constant}/${prefixOf.constant}`, pathOf.constant, prefixOf.constant);
      await w.write(events);
      return;
    }
    const buckets = new Map<string, { dir: string; prefix: string; events: Event[] }>();
    let last: { dir: string; prefix: string; events: Event[] } | undefined;
    for (const e of events) {
      const dir = pathOf(e.headers);
      const prefix = prefixOf(e.headers);
      // Runs of events of one bucket (the usual case) skip the key and the lookup.
      if (last && last.dir === dir && last.prefix === prefix) {
        last.events.push(e);
        continue;
      }
      const key = `${dir}/${prefix}`;
      last = buckets.get(key);
      if (last) last.events.push(e);
      else buckets.set(key, (last = { dir, prefix, events: [e] }));
    }
    for (const [key, b] of buckets) {
      const w = await writerFor(key, b.dir, b.prefix);
      await w.write(b.events);
    }
  }

  /**
   * Transactions the next group may hold: the backend's limit, but one after a failed delivery,
   * doubling back with each success, so that a group too large to cross a slow link within
   * hdfs.callTimeout cannot keep failing whole (each batch then goes alone, as in Flume).
   */
  let groupLimit = fs.group.transactions;

  /**
   * Takes one transaction of up to batchSize events, and while the channel has a backlog (each
   * take full) more of them, up to the backend's group limits (fs.group); writes their events with
   * one append per bucket, then commits them all. A backlog builds while an append is under way
   * (a WebHDFS APPEND takes 50–500 ms whatever its size, an fdatasync milliseconds), so a busy
   * sink makes fewer, larger appends; every event is still durable before its take commits. On
   * a failure every transaction rolls back, the last first, so the events return in order.
   */
  async function processTransactions(): Promise<Status> {
    const channel = ctx.channel;
    const txs: Transaction[] = [];
    let events: Event[] = [];
    let full = false;
    try {
      let bytes = 0;
      do {
        const tx = channel.getTransaction();
        tx.begin();
        txs.push(tx);
        const before = events.length;
        const got = takeOnto(tx, events, batchSize, counter);
        if (got > 0 || txs.length === 1) counter.batch(got, batchSize);
        for (let i = before; i < events.length; i++) bytes += events[i]!.body.length;
        full = got === batchSize;
      } while (full && txs.length < groupLimit && bytes < fs.group.bytes);
      if (events.length === 0) {
        await txs[0]!.commit();
        return 'BACKOFF';
      }
      counter.eventDrainAttempt += events.length;
      try {
        await deliver(events);
      } catch (e) {
        counter.eventWriteFail++;
        throw e;
      }
      await Promise.all(txs.map((tx) => tx.commit()));
      counter.eventDrainSuccess += events.length;
      groupLimit = Math.min(fs.group.transactions, groupLimit * 2);
      return events.length >= batchSize ? 'READY' : 'BACKOFF';
    } catch (e) {
      groupLimit = 1;
      for (let i = txs.length - 1; i >= 0; i--) {
        try {
          await txs[i]!.rollback();
        } catch {
          // keep the first error
        }
      }
      if (e instanceof EventDeliveryException) throw e;
      const what = e instanceof ChannelException ? 'could not take from the channel' : `could not deliver ${events.length} event(s)`;
      throw new EventDeliveryException(`${what}: ${errorText(e)}`);
    } finally {
      for (const tx of txs) tx.close();
      events = [];
    }
  }

  return {
    async start() {
      const names = [...staticNames(pathTemplate), ...staticNames(prefixTemplate)];
      const opts = names.length > 0 ? { ...escapeOptions, hosts: await resolveHostNames() } : escapeOptions;
      try {
        pathOf = compileBucketPath(pathTemplate, opts);
        prefixOf = compileBucketPath(prefixTemplate, opts);
      } catch (e) {
        throw new ConfigError(`sink \`${name}\`: ${(e as Error).message}`);
      }
      ctx.metrics.register(counter);
      counter.start();
    },
    async stop() {
      await exclusive(async () => {
        for (const w of [...writers.values()]) await w.close(true, true);
        writers.clear();
        for (const retry of [...settings.pending]) {
          settings.pending.delete(retry);
          await retry(true);
        }
        await fs.close?.();
      });
      counter.stop();
    },
    process() {
      return exclusive(() => processTransactions());
    },
    endpoints: () => [pathTemplate],
  };
}

const create: SinkFactory = (config, ctx) => createHdfsSink(config, ctx);

export default create;
