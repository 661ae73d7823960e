// The memory channel's bulk putAll / takeInto must act exactly as put / take called per event:
// same events, same counters, same exception at the same point.
import { describe, expect, it } from 'vitest';
import { MemoryChannel } from '../../runtime/channels/memory.js';
import type { Event } from '../../runtime/core/event.js';
import { makeEvent } from '../../runtime/core/event.js';
import { putBatch } from '../../runtime/core/channel.js';
import { processBatch } from '../../runtime/lib/sink-batch.js';

const events = (n: number, from = 0): Event[] => Array.from({ length: n }, (_, i) => makeEvent('x'.repeat((i % 3) * 150) + String(from + i)));
const mem = () => new MemoryChannel('c', 100, 10, 0, 1_000_000, 20);

/** The same channel calls, once through the bulk methods and once per event. */
function both(script: (ch: MemoryChannel, bulk: boolean) => unknown): void {
  const run = (bulk: boolean) => {
    const ch = mem();
    let outcome: unknown;
    try {
      outcome = script(ch, bulk);
    } catch (e) {
      outcome = `threw ${(e as Error).constructor.name}: ${(e as Error).message}`;
    }
    return { outcome, counters: ch.counter.attributes(), size: ch.size() };
  };
  expect(run(true)).toEqual(run(false));
}

describe('memory channel bulk methods', () => {
  it('putAll is put per event, up to and including a full put list', () => {
    for (const [first, second] of [[3, 4], [10, 0], [4, 7], [0, 11], [10, 1]] as const) {
      both((ch, bulk) => {
        const tx = ch.getTransaction();
        tx.begin();
        try {
          for (const batch of [events(first), events(second, 100)]) {
            if (bulk) tx.putAll!(batch);
            else for (const e of batch) tx.put(e);
          }
          void tx.commit();
        } finally {
          tx.close();
        }
        return 'committed';
      });
    }
  });

  it('takeInto is take per event, stopping when empty or when the take list is full', () => {
    for (const [stored, max, again] of [[5, 3, 3], [5, 10, 10], [12, 10, 1], [20, 6, 6], [0, 4, 1]] as const) {
      both((ch, bulk) => {
        const tx0 = ch.getTransaction();
        tx0.begin();
        for (const e of events(Math.min(stored, 10))) tx0.put(e);
        void tx0.commit();
        tx0.close();
        if (stored > 10) void putBatch(ch, events(stored - 10, 10));
        const tx = ch.getTransaction();
        tx.begin();
        const got: Event[] = [];
        try {
          for (const m of [max, again]) {
            if (bulk) tx.takeInto!(got, m);
            else
              for (let i = 0; i < m; i++) {
                const e = tx.take();
                if (e === null) break;
                got.push(e);
              }
          }
          void tx.commit();
        } finally {
          tx.close();
        }
        return got.map((e) => e.body.toString());
      });
    }
  });

  it('putBatch and processBatch move every event once, in order, through the bulk methods', async () => {
    const ch = mem();
    const seen: string[] = [];
    const sent: string[] = [];
    for (let round = 0; round < 5; round++) {
      const batch = events(7, round * 7);
      sent.push(...batch.map((e) => e.body.toString()));
      await putBatch(ch, batch);
      while ((await processBatch(ch, 4, (es) => void seen.push(...es.map((e) => e.body.toString())))) === 'READY');
    }
    expect(seen).toEqual(sent);
    expect(ch.counter.attributes()).toMatchObject({ EventPutSuccessCount: '35', EventTakeSuccessCount: '35', ChannelSize: '0' });
  });
});
