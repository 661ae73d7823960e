// Runs sources. Event-driven sources run themselves; pollable ones are called in a loop with
// Flume's backoff: after a poll that found nothing, wait `n · backoffSleepIncrement` (n counts
// consecutive empty polls) up to `maxBackoffSleep`; after an error, wait `maxBackoffSleep`.
import type { PollableSource, Source } from './component.js';
import { errorText } from './errors.js';
import type { Logger } from './log.js';
import { Sleeper, yieldToIo } from './timers.js';

export interface SourceRunner {
  readonly source: Source;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSourceRunner(source: Source, log: Logger): SourceRunner {
  return source.driver === 'poll' ? new PollableSourceRunner(source, log) : new EventDrivenSourceRunner(source);
}

export class EventDrivenSourceRunner implements SourceRunner {
  constructor(readonly source: Source & { driver: 'event' }) {}

  async start(): Promise<void> {
    await this.source.start();
  }

  async stop(): Promise<void> {
    await this.source.stop();
  }
}

export class PollableSourceRunner implements SourceRunner {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly sleeper = new Sleeper();

  constructor(
    readonly source: PollableSource,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.source.start?.();
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.sleeper.wake();
    await this.loop;
    await this.source.stop?.();
  }

  private async run(): Promise<void> {
    let consecutive = 0;
    while (this.running) {
      try {
        const status = await this.source.process();
        if (status === 'BACKOFF') {
          consecutive++;
          await this.sleeper.sleep(Math.min(consecutive * this.source.backoffSleepIncrement, this.source.maxBackoffSleep));
        } else {
          consecutive = 0;
          await yieldToIo();
        }
      } catch (e) {
        this.log.error(`unable to deliver events: ${errorText(e)}`);
        await this.sleeper.sleep(this.source.maxBackoffSleep);
      }
    }
  }
}
