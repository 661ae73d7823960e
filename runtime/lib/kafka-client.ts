// Java Kafka client properties (`kafka.producer.*`, `kafka.consumer.*` of Flume's Kafka
// components) read into @platformatic/kafka options, shared by the Kafka source, sink and
// channel. Each property is honoured, ignored with a warning that says why (a tuning knob of
// Java's client that has no counterpart), or refused at start when ignoring it would change
// what the user asked for (a JKS keystore, Kerberos, a Java class name).
import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { SASLOptions } from '@platformatic/kafka';
import { ConfigError, paramsUnder, type Params } from '../core/config.js';
import { errorText } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { clientKeyMaterial, trustedCertificates } from '../rpc/tls.js';

export interface KafkaConnection {
  clientId: string;
  bootstrapBrokers: string[];
  tls?: TlsConnectionOptions;
  sasl?: SASLOptions;
  timeout?: number;
  connectTimeout?: number;
  retries?: number;
  retryDelay?: number;
  metadataMaxAge?: number;
}

export interface ProducerTuning {
  compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  idempotent?: boolean;
  maxInflights?: number;
}

export interface ConsumerTuning {
  fallbackMode: 'earliest' | 'latest' | 'fail';
  sessionTimeout?: number;
  heartbeatInterval?: number;
  rebalanceTimeout?: number;
  minBytes?: number;
  maxBytes?: number;
  maxWaitTime?: number;
}

/**
 * What one fetch may bring when neither fetch.max.bytes nor max.partition.fetch.bytes is set.
 * Smaller than Java's 1 MiB: this client decodes a whole response at once, so small records
 * (tens of bytes) would mean tens of thousands of live objects per fetch; 256 KiB is about a
 * batch of typical log lines, and the next fetch overlaps the batches written meanwhile.
 */
const DEFAULT_FETCH_BYTES = 256 * 1024;

/** Java settings with no counterpart here; what they tune does not change what is delivered. */
const NO_EFFECT: Record<string, string> = {
  'linger.ms': 'each Flume batch is sent as one request',
  'batch.size': 'each Flume batch is sent as one request',
  'buffer.memory': 'each Flume batch is sent as one request',
  'max.block.ms': 'request.timeout.ms bounds every request',
  'delivery.timeout.ms': 'request.timeout.ms and retries bound every request',
  'max.request.size': 'the broker enforces its own limit',
  'send.buffer.bytes': 'the operating system sizes socket buffers',
  'receive.buffer.bytes': 'the operating system sizes socket buffers',
  'key.serializer': 'keys are the `key` header as UTF-8, as Flume sends them',
  'value.serializer': 'values are bytes, as Flume sends them',
  'key.deserializer': 'keys are read as UTF-8, as Flume reads them',
  'value.deserializer': 'values are read as bytes, as Flume reads them',
  'max.poll.records': 'batchSize bounds each batch',
  'auto.commit.interval.ms': 'offsets are committed after each batch, as Flume does',
  'connections.max.idle.ms': 'connections stay open',
  'reconnect.backoff.ms': 'retry.backoff.ms paces reconnections',
  'reconnect.backoff.max.ms': 'retry.backoff.ms paces reconnections',
  'retry.backoff.max.ms': 'retry.backoff.ms paces retries',
  'ssl.protocol': 'Node negotiates the newest TLS version both sides allow',
  'ssl.enabled.protocols': 'Node negotiates the newest TLS version both sides allow',
  'ssl.cipher.suites': "Node's default cipher suites are used",
  'ssl.truststore.password': 'read with ssl.truststore.location',
  'ssl.keystore.password': 'read with ssl.keystore.location',
  'ssl.key.password': 'read with ssl.keystore.location',
  'partition.assignment.strategy': 'partitions are assigned by the group (round robin over members)',
  'client.dns.lookup': 'the bootstrap servers are used as given',
};

/** Settings that name Java classes or features this client does not have: refused. */
const REFUSED: Record<string, string> = {
  'transactional.id': 'Kafka transactions are not supported by flowc',
  'partitioner.class': 'Java classes cannot run in flowc; use partitionIdHeader or defaultPartitionId',
  'interceptor.classes': 'Java classes cannot run in flowc; use a flowc interceptor',
  'sasl.kerberos.service.name': 'Kerberos (GSSAPI) is not supported by flowc',
  'sasl.login.callback.handler.class': 'Java classes cannot run in flowc',
  'sasl.client.callback.handler.class': 'Java classes cannot run in flowc',
  'ssl.engine.factory.class': 'Java classes cannot run in flowc',
};

function text(v: unknown): string {
  return Array.isArray(v) ? v.join(',') : String(v);
}

function int(component: string, key: string, v: unknown): number {
  const n = Number(text(v).trim());
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${component}: \`${key}\` must be a whole number, not \`${text(v)}\``);
  return n;
}

/** `username="u" password="p"` out of a JAAS line (PlainLoginModule or ScramLoginModule). */
export function jaasCredentials(component: string, key: string, jaas: string): { username: string; password: string } {
  const module = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\b/.exec(jaas);
  if (!module) throw new ConfigError(`${component}: \`${key}\` is not a JAAS line (\`org.apache.kafka.common.security.plain.PlainLoginModule required username="…" password="…";\`)`);
  if (!/(PlainLoginModule|ScramLoginModule)$/.test(module[1]!)) {
    throw new ConfigError(`${component}: \`${key}\` names ${module[1]}; flowc logs in with PlainLoginModule or ScramLoginModule only`);
  }
  const option = (name: string) => {
    const m = new RegExp(`\\b${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^\\s;]+))`).exec(jaas);
    return m ? (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]) : undefined;
  };
  const username = option('username');
  const password = option('password');
  if (username === undefined || password === undefined) throw new ConfigError(`${component}: \`${key}\` needs username="…" and password="…"`);
  return { username, password };
}

function readPemOrInline(component: string, key: string, location: string | undefined, inline: string | undefined): Buffer | undefined {
  if (inline !== undefined) return Buffer.from(inline.replace(/\\n/g, '\n'));
  if (location === undefined) return undefined;
  try {
    return readFileSync(location);
  } catch (e) {
    throw new ConfigError(`${component}: cannot read \`${key}\` ${location}: ${(e as Error).message}`);
  }
}

/** The TLS options of `security.protocol` SSL or SASL_SSL from Java's ssl.* settings. */
function tlsOptions(component: string, prefix: string, s: Map<string, string>): TlsConnectionOptions {
  const tls: TlsConnectionOptions = {};
  const trustType = (s.get('ssl.truststore.type') ?? '').toUpperCase();
  const trustLocation = s.get('ssl.truststore.location');
  if (s.has('ssl.truststore.certificates')) {
    tls.ca = [readPemOrInline(component, `${prefix}ssl.truststore.certificates`, undefined, s.get('ssl.truststore.certificates'))!];
  } else if (trustLocation !== undefined) {
    if (trustType === 'JKS') throw new ConfigError(`${component}: \`${prefix}ssl.truststore.type\` JKS cannot be read by flowc; convert ${trustLocation} to PEM (keytool -exportcert -rfc) and set ${prefix}ssl.truststore.type = PEM`);
    tls.ca = trustedCertificates(trustLocation, s.get('ssl.truststore.password'));
  }
  const keyLocation = s.get('ssl.keystore.location');
  if (s.has('ssl.keystore.key')) {
    tls.key = readPemOrInline(component, `${prefix}ssl.keystore.key`, undefined, s.get('ssl.keystore.key'));
    tls.cert = readPemOrInline(component, `${prefix}ssl.keystore.certificate.chain`, undefined, s.get('ssl.keystore.certificate.chain'));
    tls.passphrase = s.get('ssl.key.password');
  } else if (keyLocation !== undefined) {
    Object.assign(tls, clientKeyMaterial(keyLocation, s.get('ssl.keystore.password'), s.get('ssl.key.password')));
  }
  // Java's default checks the broker's host name; an empty algorithm turns that off.
  const identification = s.get('ssl.endpoint.identification.algorithm');
  if (identification !== undefined && identification.trim() === '') tls.checkServerIdentity = () => undefined;
  return tls;
}

function saslOptions(component: string, prefix: string, s: Map<string, string>): SASLOptions {
  const mechanism = (s.get('sasl.mechanism') ?? 'GSSAPI').toUpperCase();
  if (mechanism !== 'PLAIN' && mechanism !== 'SCRAM-SHA-256' && mechanism !== 'SCRAM-SHA-512') {
    throw new ConfigError(
      `${component}: \`${prefix}sasl.mechanism\` ${mechanism}${s.has('sasl.mechanism') ? '' : " (Kafka's default)"} is not supported by flowc; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`,
    );
  }
  const jaas = s.get('sasl.jaas.config');
  if (jaas === undefined) throw new ConfigError(`${component}: SASL needs \`${prefix}sasl.jaas.config\` with username="…" and password="…"`);
  return { mechanism, ...jaasCredentials(component, `${prefix}sasl.jaas.config`, jaas) };
}

export interface KafkaClientSettings {
  connection: KafkaConnection;
  producer: ProducerTuning;
  consumer: ConsumerTuning;
}

/**
 * Reads `<prefix>*` (`kafka.producer.` or `kafka.consumer.`) of a component's params. `handled`
 * lists keys (without the prefix) that the component reads itself (acks, group.id).
 */
export function kafkaClientSettings(opts: {
  component: string;
  params: Params;
  prefix: 'kafka.producer.' | 'kafka.consumer.';
  bootstrap: string[];
  defaultClientId: string;
  handled?: string[];
  log: Logger;
}): KafkaClientSettings {
  const { component, prefix } = opts;
  const s = new Map(paramsUnder(opts.params, prefix).map(([k, v]) => [k, text(v)] as const));
  for (const k of opts.handled ?? []) s.delete(k);
  const used = new Set<string>();
  const take = (k: string) => {
    used.add(k);
    return s.get(k);
  };

  const connection: KafkaConnection = { clientId: take('client.id') ?? opts.defaultClientId, bootstrapBrokers: opts.bootstrap };
  const protocol = (take('security.protocol') ?? 'PLAINTEXT').toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) {
    throw new ConfigError(`${component}: \`${prefix}security.protocol\` must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, not \`${protocol}\``);
  }
  if (protocol.endsWith('SSL')) {
    for (const k of ['ssl.truststore.location', 'ssl.truststore.type', 'ssl.truststore.password', 'ssl.truststore.certificates', 'ssl.keystore.location', 'ssl.keystore.type', 'ssl.keystore.password', 'ssl.key.password', 'ssl.keystore.key', 'ssl.keystore.certificate.chain', 'ssl.endpoint.identification.algorithm']) used.add(k);
    connection.tls = tlsOptions(component, prefix, s);
  }
  if (protocol.startsWith('SASL')) {
    used.add('sasl.mechanism');
    used.add('sasl.jaas.config');
    connection.sasl = saslOptions(component, prefix, s);
  }
  const num = (k: string) => {
    const v = take(k);
    return v === undefined ? undefined : int(component, prefix + k, v);
  };
  connection.timeout = num('request.timeout.ms');
  connection.connectTimeout = num('socket.connection.setup.timeout.ms');
  connection.retries = num('retries');
  connection.retryDelay = num('retry.backoff.ms');
  connection.metadataMaxAge = num('metadata.max.age.ms');

  const producer: ProducerTuning = {};
  const consumer: ConsumerTuning = { fallbackMode: 'latest' };
  if (prefix === 'kafka.producer.') {
    const compression = take('compression.type');
    if (compression !== undefined) {
      if (!['none', 'gzip', 'snappy', 'lz4', 'zstd'].includes(compression)) {
        throw new ConfigError(`${component}: \`${prefix}compression.type\` must be none, gzip, snappy, lz4 or zstd, not \`${compression}\``);
      }
      producer.compression = compression as ProducerTuning['compression'];
    }
    const idem = take('enable.idempotence');
    if (idem !== undefined) producer.idempotent = idem.trim().toLowerCase() === 'true';
    producer.maxInflights = num('max.in.flight.requests.per.connection');
  } else {
    const reset = take('auto.offset.reset');
    if (reset !== undefined) {
      const r = reset.trim().toLowerCase();
      if (r !== 'earliest' && r !== 'latest' && r !== 'none') throw new ConfigError(`${component}: \`${prefix}auto.offset.reset\` must be earliest, latest or none, not \`${reset}\``);
      consumer.fallbackMode = r === 'none' ? 'fail' : r;
    }
    consumer.sessionTimeout = num('session.timeout.ms');
    consumer.heartbeatInterval = num('heartbeat.interval.ms');
    consumer.rebalanceTimeout = num('max.poll.interval.ms');
    consumer.minBytes = num('fetch.min.bytes');
    // The client decodes a whole fetch response into messages before the source takes any, so
    // the bytes one fetch may bring bound the memory read ahead: the smaller of Java's two limits.
    const fetchLimits = [num('fetch.max.bytes'), num('max.partition.fetch.bytes')].filter((n): n is number => n !== undefined);
    consumer.maxBytes = fetchLimits.length ? Math.min(...fetchLimits) : DEFAULT_FETCH_BYTES;
    consumer.maxWaitTime = num('fetch.max.wait.ms');
    const auto = take('enable.auto.commit');
    if (auto !== undefined && auto.trim().toLowerCase() === 'true') {
      opts.log.warn(`${prefix}enable.auto.commit = true has no effect: offsets are committed after each batch reaches the channel, as Flume does`);
    }
  }

  for (const [k] of s) {
    if (used.has(k)) continue;
    if (REFUSED[k]) throw new ConfigError(`${component}: \`${prefix}${k}\` cannot be honoured: ${REFUSED[k]}`);
    if (k.startsWith('sasl.') || k.startsWith('ssl.')) {
      if (NO_EFFECT[k]) continue; // read with the settings above, or version knobs
      opts.log.warn(`${prefix}${k} has no effect${protocol === 'PLAINTEXT' ? ` (${prefix}security.protocol is PLAINTEXT)` : ''}`);
      continue;
    }
    opts.log.warn(`${prefix}${k} has no effect in flowc: ${NO_EFFECT[k] ?? "flowc's Kafka client has no such setting"}`);
  }
  // An option present but undefined would replace the client's default.
  return { connection: defined(connection), producer: defined(producer), consumer: defined(consumer) };
}

function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** The client's errors nest (AggregateError of per-broker errors): the first cause that says something. */
export function kafkaErrorText(e: unknown): string {
  const parts: string[] = [];
  const walk = (x: unknown, depth: number) => {
    if (depth > 3 || !x) return;
    const err = x as { message?: string; errors?: unknown[]; cause?: unknown; code?: string };
    if (err.message && !parts.includes(err.message)) parts.push(err.message);
    for (const inner of err.errors ?? []) walk(inner, depth + 1);
    if (err.cause) walk(err.cause, depth + 1);
  };
  walk(e, 0);
  return parts.length ? parts.slice(0, 3).join(': ') : errorText(e);
}
