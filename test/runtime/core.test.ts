// The core on real components: memory channel transactions, the channel processor, selectors.
import { describe, expect, it } from 'vitest';
import { putBatch } from '../../runtime/core/channel.js';
import { ChannelProcessor } from '../../runtime/core/channel-processor.js';
import { Deque } from '../../runtime/core/deque.js';
import { ChannelException, ChannelFullException } from '../../runtime/core/errors.js';
import { makeEvent, type Event } from '../../runtime/core/event.js';
import { createSelector } from '../../runtime/core/selector.js';
import { MemoryChannel } from '../../runtime/channels/memory.js';

const ev = (s: string, h: Record<string, string> = {}): Event => makeEvent(s, h);
const mem = (name: string, capacity = 10, tx = 5, keepAliveMs = 0, bytes = 1_000_000) => new MemoryChannel(name, capacity, tx, keepAliveMs, bytes, 20);

function drain(ch: MemoryChannel): string[] {
  const out: string[] = [];
  for (;;) {
    const tx = ch.getTransaction();
    tx.begin();
    const e = tx.take();
    if (!e) {
      tx.close();
      return out;
    }
    out.push(e.body.toString());
    void tx.commit();
    tx.close();
  }
}

describe('memory channel', () => {
  it('puts back rolled-back takes at the head, in order', async () => {
    const ch = mem('c');
    await putBatch(ch, ['a', 'b', 'c', 'd'].map((s) => ev(s)));
    const tx = ch.getTransaction();
    tx.begin();
    expect([tx.take(), tx.take(), tx.take()].map((e) => e!.body.toString())).toEqual(['a', 'b', 'c']);
    await tx.rollback();
    tx.close();
    expect(ch.size()).toBe(4);
    expect(drain(ch)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses a commit beyond capacity (channel full) and a put or take beyond transactionCapacity', async () => {
    const ch = mem('c', 4, 3);
    await putBatch(ch, [ev('1'), ev('2'), ev('3')]);
    await expect(putBatch(ch, [ev('4'), ev('5')])).rejects.toBeInstanceOf(ChannelFullException);
    expect(ch.size()).toBe(3);
    const tx = ch.getTransaction();
    tx.begin();
    for (let i = 0; i < 3; i++) tx.put(ev('x'));
    expect(() => tx.put(ev('y'))).toThrow(/put list/);
    tx.close();
    await putBatch(ch, [ev('4')]);
    const t2 = ch.getTransaction();
    t2.begin();
    tx.close();
    for (let i = 0; i < 3; i++) t2.take();
    expect(() => t2.take()).toThrow(ChannelException);
    t2.close();
    expect(ch.size()).toBe(4);
    expect(ch.counter.attributes()).toMatchObject({ ChannelSize: '4', ChannelCapacity: '4', ChannelFillPercentage: '100.0' });
  });

  it('counts body bytes in 100-byte slots against byteCapacity', async () => {
    const ch = mem('c', 100, 50, 0, 1000); // 800 usable bytes: 8 slots
    await putBatch(ch, [makeEvent(Buffer.alloc(350))]); // 4 slots
    await expect(putBatch(ch, [makeEvent(Buffer.alloc(450))])).rejects.toThrow(/byteCapacity/);
    await putBatch(ch, [makeEvent(Buffer.alloc(400))]);
    expect(ch.size()).toBe(2);
  });

  it('waits keep-alive for room that a sink frees', async () => {
    const ch = mem('c', 2, 2, 2000);
    await putBatch(ch, [ev('1'), ev('2')]);
    const pending = putBatch(ch, [ev('3')]);
    setTimeout(() => drain(ch), 50);
    await pending;
    expect(drain(ch)).toEqual(['3']);
  });
});

describe('the queue under the memory channel', () => {
  it('bulk pushAll / popInto keep the order of per-element pushes and pops, across wrap-around and growth', () => {
    let seed = 1;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let trial = 0; trial < 100; trial++) {
      const d = new Deque<number>(16);
      const ref: number[] = [];
      let next = 0;
      for (let op = 0; op < 300; op++) {
        const r = rnd();
        if (r < 0.3) {
          const list = Array.from({ length: Math.floor(rnd() * 70) }, () => next++);
          d.pushAll(list);
          ref.push(...list);
        } else if (r < 0.5) {
          d.pushBack(next);
          ref.push(next++);
        } else if (r < 0.6) {
          d.pushFront(next);
          ref.unshift(next++);
        } else if (r < 0.85) {
          const out = [-1];
          const max = Math.floor(rnd() * 80);
          const n = d.popInto(out, max);
          const want = ref.splice(0, max);
          expect(n).toBe(want.length);
          expect(out).toEqual([-1, ...want]);
        } else expect(d.popFront()).toBe(ref.shift());
        expect(d.length).toBe(ref.length);
      }
    }
  });
});

describe('channel processor and selectors', () => {
  it('replicates to required channels and ignores a failing optional one', async () => {
    const a = mem('a');
    const full = mem('full', 1, 1);
    await putBatch(full, [ev('x')]);
    const p = new ChannelProcessor(createSelector({ kind: 'replicating', params: { optional: ['full'] } }, [a, full], 's'), []);
    await p.processEventBatch([ev('1'), ev('2')]);
    expect(drain(a)).toEqual(['1', '2']);
  });

  it('rejects the batch when a required channel refuses it, committing nothing there', async () => {
    const a = mem('a', 1, 1);
    const p = new ChannelProcessor(createSelector({ kind: 'replicating', params: {} }, [a], 's'), []);
    await expect(p.processEventBatch([ev('1'), ev('2')])).rejects.toBeInstanceOf(ChannelException);
    expect(a.size()).toBe(0);
  });

  it('routes by header with a default (multiplexing)', async () => {
    const hot = mem('hot');
    const cold = mem('cold');
    const sel = createSelector(
      { kind: 'multiplexing', params: { header: 'level', 'mapping.ERROR': ['hot'], 'optional.ERROR': ['cold'], default: ['cold'] } },
      [hot, cold],
      's',
    );
    const p = new ChannelProcessor(sel, []);
    await p.processEventBatch([ev('e1', { level: 'ERROR' }), ev('i1', { level: 'INFO' }), ev('n1'), ev('e2', { level: 'ERROR' })]);
    expect(drain(hot)).toEqual(['e1', 'e2']);
    expect(drain(cold)).toEqual(['i1', 'n1', 'e1', 'e2']);
  });

  it('spreads events over channels (load_balancing selector)', async () => {
    const a = mem('a');
    const b = mem('b');
    const p = new ChannelProcessor(createSelector({ kind: 'load_balancing', params: { policy: 'round_robin' } }, [a, b], 's'), []);
    await p.processEventBatch(['1', '2', '3', '4'].map((s) => ev(s)));
    expect(drain(a)).toEqual(['1', '3']);
    expect(drain(b)).toEqual(['2', '4']);
  });
});
