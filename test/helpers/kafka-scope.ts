// A real Kafka cluster (./kafka.ts) for the tests of one describe block, and the flowc Kafka
// source and sink blocks those tests write against it. Kept apart from ./kafka.ts because the
// benchmarks bundle that file into plain Node, where vitest's hooks do not exist.
import { afterAll, beforeAll } from 'vitest';
import { startKafka, type KafkaCluster, type StartKafkaOptions } from './kafka.js';

/** Properties of a .flow block: strings are quoted, numbers and booleans bare; `undefined` leaves a default out. */
export type FlowProps = Record<string, string | number | boolean | undefined>;

export interface KafkaScope {
  /** The running cluster (from the describe block's beforeAll on). */
  readonly cluster: KafkaCluster;
  /**
   * `source k : kafka { … }` that reads `topic` as consumer group `g-<topic>` from the earliest
   * offset on the PLAINTEXT listeners; `props` add to those or replace them.
   */
  source(topic: string, props?: FlowProps): string;
  /** `sink k : kafka { … }` that writes to `topic` on the PLAINTEXT listeners; `props` add to those or replace them. */
  sink(topic: string, props?: FlowProps): string;
}

/**
 * Starts a Kafka cluster before the first test of the enclosing describe block and stops every
 * broker by PID after the last one, whether the tests passed or not.
 */
export function useKafka(opts: StartKafkaOptions = {}): KafkaScope {
  let cluster: KafkaCluster | undefined;
  beforeAll(async () => {
    cluster = await startKafka(opts);
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);
  const started = (): KafkaCluster => {
    if (!cluster) throw new Error('useKafka: the cluster is there only inside the tests of the describe block that called it');
    return cluster;
  };
  return {
    get cluster() {
      return started();
    },
    source: (topic, props = {}) =>
      flowBlock('source k : kafka', {
        'kafka.bootstrap.servers': started().bootstrap,
        'kafka.topics': topic,
        'kafka.consumer.group.id': `g-${topic}`,
        'kafka.consumer.auto.offset.reset': 'earliest',
        ...props,
      }),
    sink: (topic, props = {}) => flowBlock('sink k : kafka', { 'kafka.bootstrap.servers': started().bootstrap, 'kafka.topic': topic, ...props }),
  };
}

/** A component block inside an agent, one property a line. */
function flowBlock(head: string, props: FlowProps): string {
  const lines = Object.entries(props)
    .filter((e): e is [string, string | number | boolean] => e[1] !== undefined)
    .map(([k, v]) => `    ${k} = ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  return `  ${head} {\n${lines.join('\n')}\n  }`;
}
