// BatchPipeline (runtime/lib/sink-batch.ts): a sink with several batches in flight, each its own
// take. Each take commits only when its own batch is delivered; a failed batch goes back to the
// channel and is delivered again; nothing is lost or counted twice; window 1 is one at a time.
import { describe, expect, it } from 'vitest';
import { MemoryChannel } from '../../runtime/channels/memory.js';
import { putBatch } from '../../runtime/core/channel.js';
import { EventDeliveryException } from '../../runtime/core/errors.js';
import { makeEvent, type Event } from '../../runtime/core/event.js';
import { SinkCounter } from '../../runtime/core/metrics.js';
import { BatchPipeline } from '../../runtime/lib/sink-batch.js';

interface Call {
  bodies: string[];
  settle: (error?: Error) => void;
}

/** A destination whose deliveries the test answers one by one. */
function destination() {
  const calls: Call[] = [];
  let inFlight = 0;
  let most = 0;
  const deliver = (events: Event[]) =>
    new Promise<void>((resolve, reject) => {
      inFlight++;
      most = Math.max(most, inFlight);
      calls.push({
        bodies: events.map((e) => e.body.toString()),
        settle: (error) => {
          inFlight--;
          if (error) reject(error);
          else resolve();
        },
      });
    });
  return { calls, deliver, most: () => most };
}

const bodies = (n: number) => Array.from({ length: n }, (_, i) => `e${i}`);
const tick = () => new Promise((r) => setImmediate(r));

async function filled(n: number) {
  const ch = new MemoryChannel('c', 1000, 100, 0, 1_000_000, 20);
  await putBatch(ch, bodies(n).map((b) => makeEvent(b)));
  return ch;
}

describe('a sink pipeline of batches in flight', () => {
  it('keeps up to `window` batches in flight and commits each take only when its batch is acknowledged', async () => {
    const ch = await filled(50);
    const dest = destination();
    const counter = new SinkCounter('k');
    const pipeline = new BatchPipeline(ch, 10, 3, dest.deliver, counter);
    // Two process() calls return at once (READY), each leaving a batch in flight; the third
    // sends its batch, then waits until fewer than three are in flight.
    for (let i = 0; i < 2; i++) expect(await pipeline.process()).toBe('READY');
    let third: string | undefined;
    const p3 = pipeline.process().then((s) => (third = s));
    await tick();
    expect(dest.calls.map((c) => c.bodies[0])).toEqual(['e0', 'e10', 'e20']);
    expect(third).toBeUndefined();
    expect(ch.counter.attributes()).toMatchObject({ ChannelSize: '20', EventTakeSuccessCount: '0' });
    dest.calls[1]!.settle();
    await p3;
    expect(third).toBe('READY');
    expect(ch.counter.attributes()).toMatchObject({ EventTakeSuccessCount: '10' });
    expect(counter.eventDrainSuccess).toBe(10);
    const p4 = pipeline.process();
    await tick();
    expect(dest.calls).toHaveLength(4);
    for (const c of dest.calls) if (c.bodies[0] !== 'e10') c.settle();
    expect(await p4).toBe('READY');
    await pipeline.settled();
    expect(dest.most()).toBe(3);
    expect(counter.eventDrainSuccess).toBe(40);
  });

  it('a failed batch goes back to the channel and is delivered again; the failure is thrown once all in flight settled', async () => {
    const ch = await filled(30);
    const dest = destination();
    const counter = new SinkCounter('k');
    const pipeline = new BatchPipeline(ch, 10, 3, dest.deliver, counter);
    await pipeline.process();
    await pipeline.process();
    const third = pipeline.process();
    await tick();
    dest.calls[0]!.settle(new Error('broker went away'));
    dest.calls[2]!.settle();
    // The third call returns once a slot is free, but reports the failure only after the batch
    // still in flight settled.
    let outcome: unknown;
    const next = third.then(
      (s) => (outcome = s),
      (e) => (outcome = e),
    );
    await tick();
    expect(outcome).toBeUndefined();
    dest.calls[1]!.settle();
    await next;
    expect(outcome).toBeInstanceOf(EventDeliveryException);
    expect(String((outcome as Error).message)).toContain('broker went away');
    expect(ch.size()).toBe(10);
    // The runner calls again after its backoff: the rolled-back events are delivered.
    const again = pipeline.process();
    await tick();
    dest.calls[3]!.settle();
    expect(await again).toBe('READY');
    await pipeline.settled();
    expect(dest.calls[3]!.bodies).toEqual(bodies(10));
    const delivered = dest.calls.slice(1).flatMap((c) => c.bodies);
    expect(new Set(delivered)).toEqual(new Set(bodies(30)));
    expect(delivered).toHaveLength(30);
    expect(counter.eventDrainSuccess).toBe(30);
    expect(ch.counter.attributes()).toMatchObject({ ChannelSize: '0', EventTakeSuccessCount: '30' });
  });

  it('a partial batch (the channel is empty) answers BACKOFF only after everything in flight settled', async () => {
    const ch = await filled(15);
    const dest = destination();
    const pipeline = new BatchPipeline(ch, 10, 3, dest.deliver);
    expect(await pipeline.process()).toBe('READY');
    let status: string | undefined;
    const p = pipeline.process().then((s) => (status = s));
    await tick();
    expect(dest.calls).toHaveLength(2);
    dest.calls[1]!.settle();
    await tick();
    expect(status).toBeUndefined();
    dest.calls[0]!.settle();
    await p;
    expect(status).toBe('BACKOFF');
    expect(ch.counter.attributes()).toMatchObject({ EventTakeSuccessCount: '15' });
  });

  it('window 1 delivers one batch at a time, in channel order, even after a failure', async () => {
    const ch = await filled(30);
    const delivered: string[] = [];
    let fail = true;
    let concurrent = 0;
    let most = 0;
    const pipeline = new BatchPipeline(ch, 10, 1, async (events) => {
      most = Math.max(most, ++concurrent);
      await tick();
      concurrent--;
      if (fail && events[0]!.body.toString() === 'e10') {
        fail = false;
        throw new Error('once');
      }
      delivered.push(...events.map((e) => e.body.toString()));
    });
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      outcomes.push(
        await pipeline.process().then(
          (s) => s,
          () => 'threw',
        ),
      );
    }
    expect(outcomes).toEqual(['READY', 'threw', 'READY', 'READY', 'BACKOFF']);
    expect(most).toBe(1);
    expect(delivered).toEqual(bodies(30));
  });
});
