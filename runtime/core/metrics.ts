// Flume's component counters (the attributes of its JMX MBeans), under Flume's names, and the
// registry the monitor server reads. Counters are plain numeric fields: incrementing one is a
// field add, per batch where the component works in batches.

export type CounterType = 'SOURCE' | 'CHANNEL' | 'SINK' | 'CHANNEL_PROCESSOR' | 'SINK_PROCESSOR' | 'INTERCEPTOR' | 'OTHER';

export abstract class ComponentCounter {
  startTime = 0;
  stopTime = 0;

  constructor(
    readonly type: CounterType,
    readonly name: string,
  ) {}

  start(): void {
    this.startTime = Date.now();
    this.stopTime = 0;
  }

  stop(): void {
    this.stopTime = Date.now();
  }

  /** Attribute name to value, as numbers; `Type` is added by `attributes()`. */
  protected abstract values(): Record<string, number>;

  /** Flume's JSON: every value as a string, doubles with a fraction. */
  attributes(): Record<string, string> {
    const out: Record<string, string> = { Type: this.type, StartTime: String(this.startTime), StopTime: String(this.stopTime) };
    for (const [k, v] of Object.entries(this.values())) out[k] = this.doubles.has(k) ? javaDouble(v) : String(v);
    return out;
  }

  /** Numeric attributes, for Prometheus. */
  numbers(): Record<string, number> {
    return { StartTime: this.startTime, StopTime: this.stopTime, ...this.values() };
  }

  protected readonly doubles = new Set<string>();
}

export class SourceCounter extends ComponentCounter {
  eventReceived = 0;
  eventAccepted = 0;
  appendReceived = 0;
  appendAccepted = 0;
  appendBatchReceived = 0;
  appendBatchAccepted = 0;
  openConnections = 0;
  eventReadFail = 0;
  channelWriteFail = 0;
  genericProcessingFail = 0;

  constructor(name: string) {
    super('SOURCE', name);
  }

  protected values(): Record<string, number> {
    return {
      EventReceivedCount: this.eventReceived,
      EventAcceptedCount: this.eventAccepted,
      AppendReceivedCount: this.appendReceived,
      AppendAcceptedCount: this.appendAccepted,
      AppendBatchReceivedCount: this.appendBatchReceived,
      AppendBatchAcceptedCount: this.appendBatchAccepted,
      OpenConnectionCount: this.openConnections,
      EventReadFail: this.eventReadFail,
      ChannelWriteFail: this.channelWriteFail,
      GenericProcessingFail: this.genericProcessingFail,
    };
  }
}

export class ChannelCounter extends ComponentCounter {
  putAttempt = 0;
  putSuccess = 0;
  takeAttempt = 0;
  takeSuccess = 0;

  constructor(
    name: string,
    private readonly size: () => number,
    readonly capacity: number,
  ) {
    super('CHANNEL', name);
    this.doubles.add('ChannelFillPercentage');
  }

  protected values(): Record<string, number> {
    const size = this.size();
    return {
      ChannelSize: size,
      ChannelCapacity: this.capacity,
      ChannelFillPercentage: this.capacity === 0 ? Number.MAX_VALUE : (size * 100) / this.capacity,
      EventPutAttemptCount: this.putAttempt,
      EventPutSuccessCount: this.putSuccess,
      EventTakeAttemptCount: this.takeAttempt,
      EventTakeSuccessCount: this.takeSuccess,
    };
  }
}

export class SinkCounter extends ComponentCounter {
  connectionCreated = 0;
  connectionClosed = 0;
  connectionFailed = 0;
  batchEmpty = 0;
  batchUnderflow = 0;
  batchComplete = 0;
  eventDrainAttempt = 0;
  eventDrainSuccess = 0;
  eventWriteFail = 0;
  channelReadFail = 0;

  constructor(name: string) {
    super('SINK', name);
  }

  /** Counts one taken batch the way Flume's sinks do: empty, short of the batch size, or full. */
  batch(taken: number, batchSize: number): void {
    if (taken === 0) this.batchEmpty++;
    else if (taken < batchSize) this.batchUnderflow++;
    else this.batchComplete++;
  }

  protected values(): Record<string, number> {
    return {
      ConnectionCreatedCount: this.connectionCreated,
      ConnectionClosedCount: this.connectionClosed,
      ConnectionFailedCount: this.connectionFailed,
      BatchEmptyCount: this.batchEmpty,
      BatchUnderflowCount: this.batchUnderflow,
      BatchCompleteCount: this.batchComplete,
      EventDrainAttemptCount: this.eventDrainAttempt,
      EventDrainSuccessCount: this.eventDrainSuccess,
      EventWriteFail: this.eventWriteFail,
      ChannelReadFail: this.channelReadFail,
    };
  }
}

/** The counters of one agent. */
export class MetricsRegistry {
  private readonly counters = new Map<string, ComponentCounter>();

  constructor(readonly agent: string) {}

  register<C extends ComponentCounter>(counter: C): C {
    this.counters.set(`${counter.type}.${counter.name}`, counter);
    return counter;
  }

  unregister(counter: ComponentCounter): void {
    const key = `${counter.type}.${counter.name}`;
    if (this.counters.get(key) === counter) this.counters.delete(key);
  }

  all(): ComponentCounter[] {
    return [...this.counters.values()];
  }

  /** Flume's `/metrics` object for this agent: `"TYPE.name"` to string attributes. */
  json(): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const [key, c] of this.counters) out[key] = c.attributes();
    return out;
  }
}

/** Java's Double.toString for the values counters produce. */
export function javaDouble(v: number): string {
  if (v === Number.MAX_VALUE) return '1.7976931348623157E308';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN';
  if (Number.isInteger(v) && Math.abs(v) < 1e7) return `${v}.0`;
  const s = String(v);
  if (Math.abs(v) >= 1e7 || (v !== 0 && Math.abs(v) < 1e-3)) {
    const [m, e] = v.toExponential().split('e');
    const mant = m!.includes('.') ? m! : `${m}.0`;
    return `${mant}E${Number(e)}`;
  }
  return s;
}
