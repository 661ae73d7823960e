// Consumer offsets of the Kafka source and channel: the committed offsets read as Java means them
// (javaCommittedOffsets), commits beside the batches (BackgroundCommits), and (OffsetTracker)
// which offsets a Kafka channel may commit. Records are fetched ahead of the takes and
// several take transactions may be open at once (one per sink), committing in any order; an
// offset may be committed for a partition only once every record before it was taken by a
// committed transaction. Per partition this keeps the fetched offsets in order and which of
// them are done; the committable offset is the first one not done (Kafka's "next to read").
import type { Consumer } from '@platformatic/kafka';

interface PartitionState {
  topic: string;
  partition: number;
  /** Offsets fetched and not yet known done, ascending (in fetch order). */
  open: bigint[];
  /** Index of the first entry of `open` still in use (the array is compacted now and then). */
  head: number;
  done: Set<bigint>;
  /** The highest offset fetched: a record at or below it is a re-delivery of one held already. */
  lastFetched: bigint;
  /** The offset last handed to Kafka's commit (next to read), or -1n. */
  committed: bigint;
  /** The offset to commit once everything before it is done. */
  committable: bigint;
}

export interface OffsetToCommit {
  topic: string;
  partition: number;
  /** Java's meaning: the offset of the next record to read. */
  offset: bigint;
  leaderEpoch: number;
}

export class OffsetTracker {
  private readonly partitions = new Map<string, PartitionState>();

  private state(topic: string, partition: number): PartitionState {
    const key = `${topic}:${partition}`;
    let s = this.partitions.get(key);
    if (!s) {
      s = { topic, partition, open: [], head: 0, done: new Set(), lastFetched: -1n, committed: -1n, committable: -1n };
      this.partitions.set(key, s);
    }
    return s;
  }

  /**
   * Records a fetched offset. Returns false when it is not newer than the last one fetched for
   * its partition (the client seeks back to the committed offsets after a rebalance): the record
   * is then held already, queued or in a transaction, and must not be delivered twice.
   */
  fetched(topic: string, partition: number, offset: bigint): boolean {
    const s = this.state(topic, partition);
    if (offset <= s.lastFetched) return false;
    s.lastFetched = offset;
    s.open.push(offset);
    return true;
  }

  /** Marks offsets as taken by a committed transaction. */
  done(topic: string, partition: number, offset: bigint): void {
    const s = this.state(topic, partition);
    s.done.add(offset);
    while (s.head < s.open.length && s.done.has(s.open[s.head]!)) {
      const o = s.open[s.head++]!;
      s.done.delete(o);
      s.committable = o + 1n;
    }
    if (s.head > 1024 && s.head * 2 > s.open.length) {
      s.open = s.open.slice(s.head);
      s.head = 0;
    }
  }

  /** The offsets that moved since the last `committed()`. */
  toCommit(): OffsetToCommit[] {
    const out: OffsetToCommit[] = [];
    for (const s of this.partitions.values()) {
      if (s.committable > s.committed) out.push({ topic: s.topic, partition: s.partition, offset: s.committable, leaderEpoch: -1 });
    }
    return out;
  }

  /** Notes that Kafka accepted these offsets. */
  committed(offsets: readonly OffsetToCommit[]): void {
    for (const o of offsets) {
      const s = this.state(o.topic, o.partition);
      if (o.offset > s.committed) s.committed = o.offset;
    }
  }
}

/**
 * Offset commits off the source's path: `add` returns at once, at most one commit is in flight,
 * and offsets added meanwhile are merged (per partition, the highest) into the next one. A
 * commit only says where a restarted consumer resumes, so one that is late or fails costs
 * re-reads (at least once), never events. A failed commit's offsets wait for the next `add`.
 */
export class BackgroundCommits {
  private readonly pending = new Map<string, OffsetToCommit>();
  private running: Promise<void> | undefined;

  /** `commit` resolves true when Kafka accepted the offsets, false when it did not (it logs why). */
  constructor(private readonly commit: (offsets: OffsetToCommit[]) => Promise<boolean>) {}

  add(offsets: Iterable<OffsetToCommit>): void {
    for (const o of offsets) this.merge(o);
    this.running ??= this.run();
  }

  /** Resolves once everything added so far was committed, or tried once. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private merge(o: OffsetToCommit): void {
    const key = `${o.topic}:${o.partition}`;
    const before = this.pending.get(key);
    if (!before || before.offset < o.offset) this.pending.set(key, o);
  }

  private async run(): Promise<void> {
    try {
      while (this.pending.size) {
        const offsets = [...this.pending.values()];
        this.pending.clear();
        if (!(await this.commit(offsets))) {
          for (const o of offsets) this.merge(o);
          break;
        }
      }
    } finally {
      this.running = undefined;
    }
  }
}

/**
 * @platformatic/kafka 1.x resumes at the committed offset + 1 (it commits the last record read),
 * while Java's clients commit the next offset to read. The Kafka source and channel commit as
 * Java does, so that they share a group with Flume's; reading the committed offsets one lower
 * makes the client resume exactly there.
 */
export function javaCommittedOffsets(c: Consumer): void {
  type List = (o: unknown, cb: (e: Error | null, r: Map<string, bigint[]>) => void) => void;
  const list = (c.listCommittedOffsets as unknown as List).bind(c);
  (c as unknown as { listCommittedOffsets: List }).listCommittedOffsets = (o, cb) =>
    list(o, (err, commits) => {
      if (commits) for (const offsets of commits.values()) for (let i = 0; i < offsets.length; i++) if (offsets[i]! >= 0n) offsets[i] = offsets[i]! - 1n;
      cb(err, commits);
    });
}
