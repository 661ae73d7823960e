// A transaction on the file channel. Puts and takes are collected in memory (a take removes the
// event from the queue at once, as in Flume); the commit writes them to the log as one group and
// returns once the group is on disk. Nothing is written for a rollback: a transaction whose
// COMMIT record is not in the log never happened.
import type { Transaction } from '../../core/channel.js';
import { ChannelException } from '../../core/errors.js';
import type { Event } from '../../core/event.js';
import type { FileChannel } from '../file.js';

let lastTxid = Date.now() * 1000;

export class FileTransaction implements Transaction {
  private state: 'new' | 'open' | 'committing' | 'done' = 'new';
  private readonly txid = ++lastTxid;
  private puts: Event[] = [];
  private takes: number[] = [];
  private taken: Event[] = [];

  constructor(private readonly ch: FileChannel) {}

  begin(): void {
    if (this.state !== 'new') throw new ChannelException('a transaction can be begun only once');
    this.state = 'open';
    this.ch.openTakes.add(this.takes);
  }

  put(event: Event): void {
    this.check('put');
    this.ch.counter.putAttempt++;
    if (this.puts.length >= this.ch.transactionCapacity) throw this.full('put', 'commit more often');
    this.puts.push(event);
  }

  putAll(events: readonly Event[]): void {
    this.check('put');
    const room = this.ch.transactionCapacity - this.puts.length;
    const n = Math.min(events.length, room);
    for (let i = 0; i < n; i++) this.puts.push(events[i]!);
    this.ch.counter.putAttempt += n < events.length ? n + 1 : n;
    if (n < events.length) throw this.full('put', 'commit more often');
  }

  take(): Event | null {
    this.check('take');
    if (this.takes.length >= this.ch.transactionCapacity) throw this.full('take', 'take smaller batches');
    this.ch.counter.takeAttempt++;
    const e = this.ch.takeOne(this.takes);
    if (e === undefined) return null;
    this.taken.push(e);
    return e;
  }

  takeInto(out: Event[], max: number): number {
    this.check('take');
    let n = 0;
    let attempts = 0;
    try {
      for (; n < max; n++) {
        if (this.takes.length >= this.ch.transactionCapacity) throw this.full('take', 'take smaller batches');
        attempts++;
        const e = this.ch.takeOne(this.takes);
        if (e === undefined) break;
        this.taken.push(e);
        out.push(e);
      }
    } finally {
      this.ch.counter.takeAttempt += attempts;
    }
    return n;
  }

  commit(): void | Promise<void> {
    this.check('commit');
    if (this.puts.length === 0 && this.takes.length === 0) {
      this.finish();
      return;
    }
    this.state = 'committing';
    return this.ch.commit(this.txid, this.puts, this.takes).then(
      () => this.finish(),
      (e: unknown) => {
        this.state = 'open';
        throw e;
      },
    );
  }

  private finish(): void {
    this.ch.openTakes.delete(this.takes);
    this.state = 'done';
    this.puts = [];
    this.takes = [];
    this.taken = [];
  }

  rollback(): void {
    if (this.state !== 'open') return;
    this.ch.rollbackTakes(this.takes, this.taken);
    this.finish();
  }

  close(): void {
    if (this.state === 'open') this.rollback();
    if (this.state !== 'committing') this.state = 'done';
  }

  private full(what: 'put' | 'take', advice: string): ChannelException {
    return new ChannelException(
      `the ${what} list of a transaction on channel \`${this.ch.name}\` is full (transactionCapacity ${this.ch.transactionCapacity}); ` +
        `${advice} or raise transactionCapacity`,
    );
  }

  private check(what: string): void {
    if (this.state !== 'open') throw new ChannelException(`cannot ${what}: the transaction is not open`);
  }
}
