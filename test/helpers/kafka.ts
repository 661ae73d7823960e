// A real Apache Kafka broker as a test peer: kafka_2.13 4.x in KRaft mode from
// test/peers/.cache/kafka (bash test/peers/install.sh). Node 1 is a combined broker+controller;
// extra nodes are brokers that join its quorum (for failure tests). Every port is on 127.0.0.1
// and free when chosen; the storage is a temp dir formatted by Kafka's StorageTool first; each
// JVM is stopped by PID (and killed when the test process exits).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { freePort } from './flume.js';

const peerRoot = resolve('test/peers/.cache/kafka');

/** The classpath of the installed Kafka peer; throws a message saying how to install it. */
export function kafkaClasspath(): string {
  if (!existsSync(join(peerRoot, 'stamp'))) {
    throw new Error(`Apache Kafka (the Kafka test peer) is not installed in ${peerRoot}: run bash test/peers/install.sh`);
  }
  return [join(peerRoot, 'classes'), join(peerRoot, 'lib', '*')].join(delimiter);
}

export interface KafkaTls {
  /** The broker's self-signed certificate, PEM: what a client trusts (ssl.truststore.location with type PEM). */
  caPem: string;
  /** The same certificate in a PKCS12 truststore, for Java clients that want one. */
  truststoreP12: string;
  truststorePassword: string;
}

export interface KafkaSasl {
  mechanism: 'PLAIN';
  username: string;
  password: string;
  /** The JAAS line a Java client (or flowc's pass-through) sets as sasl.jaas.config. */
  jaasConfig: string;
}

export interface KafkaBroker {
  id: number;
  /** The PLAINTEXT listener's port. */
  port: number;
  pid(): number | undefined;
  running(): boolean;
  /** SIGTERM (a controlled shutdown), SIGKILL after graceMs; `kill: true` sends SIGKILL at once. */
  stop(opts?: { kill?: boolean; graceMs?: number }): Promise<void>;
  /** Starts the broker again on the same ports and storage; resolves once it serves. */
  start(): Promise<void>;
  logText(): string;
}

export interface KafkaCluster {
  /** PLAINTEXT listeners of every broker, `127.0.0.1:p1,127.0.0.1:p2`. */
  bootstrap: string;
  /** The SSL listeners (with `tls: true`). */
  sslBootstrap?: string;
  /** The SASL_PLAINTEXT listeners (with `sasl: true`). */
  saslBootstrap?: string;
  /** The SASL_SSL listeners (with both). */
  saslSslBootstrap?: string;
  tls?: KafkaTls;
  sasl?: KafkaSasl;
  brokers: KafkaBroker[];
  /** Stops every broker (brokers first, the controller last), then removes the storage. */
  stop(): Promise<void>;
  /** Stops every broker (SIGKILL with `kill: true`) and starts them again on the same ports and storage. */
  restart(opts?: { kill?: boolean }): Promise<void>;
  /** The log of every broker, newest part. */
  logText(): string;
}

export interface StartKafkaOptions {
  /** How many brokers (1–3); node 1 is also the KRaft controller. */
  brokers?: number;
  /** Partitions of topics created automatically (num.partitions). Default 1. */
  partitions?: number;
  /** Adds an SSL listener with a self-signed certificate for 127.0.0.1. */
  tls?: boolean;
  /** Adds a SASL_PLAINTEXT listener (and SASL_SSL with tls) that accepts PLAIN logins. */
  sasl?: boolean;
  jvmOpts?: string[];
  startTimeoutMs?: number;
  /** More server.properties lines for every broker. */
  serverProperties?: Record<string, string>;
}

const running = new Set<ChildProcess>();
let exitHook = false;
function track(proc: ChildProcess): void {
  running.add(proc);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const p of running) p.kill('SIGKILL');
    });
  }
}

/** Kafka's cluster ids are 16 random bytes in URL-safe base64 without padding. */
function clusterId(): string {
  // One that starts with `-` would be read by kafka-storage's argument parser as an option.
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function makeTls(dir: string): KafkaTls & { keystorePem: string } {
  const key = join(dir, 'broker-key.pem');
  const caPem = join(dir, 'broker-cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', caPem, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  // Kafka's PEM keystore: the PKCS#8 key and the certificate chain in one file.
  const keystorePem = join(dir, 'broker-keystore.pem');
  writeFileSync(keystorePem, Buffer.concat([readFileSync(key), readFileSync(caPem)]));
  const truststoreP12 = join(dir, 'truststore.p12');
  const truststorePassword = 'changeit';
  execFileSync('keytool', ['-importcert', '-noprompt', '-alias', 'kafka', '-file', caPem, '-keystore', truststoreP12, '-storetype', 'PKCS12', '-storepass', truststorePassword], { stdio: 'ignore' });
  return { caPem, keystorePem, truststoreP12, truststorePassword };
}

interface NodePorts {
  plain: number;
  controller?: number;
  ssl?: number;
  sasl?: number;
  saslSsl?: number;
}

function serverProperties(o: {
  id: number;
  nodes: number;
  ports: NodePorts;
  controllerPort: number;
  logDir: string;
  partitions: number;
  tls?: KafkaTls & { keystorePem: string };
  sasl?: KafkaSasl;
  extra: Record<string, string>;
}): string {
  const { ports } = o;
  const listeners = [`PLAINTEXT://127.0.0.1:${ports.plain}`];
  if (ports.ssl) listeners.push(`SSL://127.0.0.1:${ports.ssl}`);
  if (ports.sasl) listeners.push(`SASL_PLAINTEXT://127.0.0.1:${ports.sasl}`);
  if (ports.saslSsl) listeners.push(`SASL_SSL://127.0.0.1:${ports.saslSsl}`);
  const advertised = [...listeners];
  if (ports.controller) listeners.push(`CONTROLLER://127.0.0.1:${ports.controller}`);
  const rf = Math.min(o.nodes, 3);
  const p: Record<string, string> = {
    'process.roles': o.id === 1 ? 'broker,controller' : 'broker',
    'node.id': String(o.id),
    'controller.quorum.voters': `1@127.0.0.1:${o.controllerPort}`,
    listeners: listeners.join(','),
    'advertised.listeners': advertised.join(','),
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
    'log.dirs': o.logDir,
    'num.partitions': String(o.partitions),
    'default.replication.factor': String(rf),
    'min.insync.replicas': '1',
    'offsets.topic.replication.factor': String(rf),
    'offsets.topic.num.partitions': '3',
    'transaction.state.log.replication.factor': String(rf),
    'transaction.state.log.min.isr': '1',
    'group.initial.rebalance.delay.ms': '0',
    'auto.create.topics.enable': 'true',
    'log.flush.interval.ms': '1000',
  };
  if (o.tls) {
    Object.assign(p, {
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': o.tls.keystorePem,
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': o.tls.caPem,
      'ssl.client.auth': 'none',
    });
  }
  if (o.sasl) {
    const users = `username="admin" password="admin-secret" user_admin="admin-secret" user_${o.sasl.username}="${o.sasl.password}";`;
    p['sasl.enabled.mechanisms'] = 'PLAIN';
    for (const l of ['sasl_plaintext', 'sasl_ssl']) {
      p[`listener.name.${l}.plain.sasl.jaas.config`] = `org.apache.kafka.common.security.plain.PlainLoginModule required ${users}`;
    }
  }
  Object.assign(p, o.extra);
  return Object.entries(p)
    .map(([k, v]) => `${k}=${v.replace(/\\/g, '\\\\')}`)
    .join('\n');
}

const LOG_KEEP = 200_000;

function startNode(o: { id: number; dir: string; cp: string; jvmOpts: string[]; startTimeoutMs: number }) {
  let proc: ChildProcess | undefined;
  let log = '';
  let exited: Promise<void> = Promise.resolve();
  const propsFile = join(o.dir, 'server.properties');

  const start = () =>
    new Promise<void>((resolveStart, reject) => {
      const p = spawn('java', [...o.jvmOpts, '-Dorg.slf4j.simpleLogger.showDateTime=true', '-cp', o.cp, 'kafka.Kafka', propsFile], {
        cwd: o.dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      proc = p;
      track(p);
      let started = false;
      let sinceStart = ''; // the log of an earlier run says "started" too
      const onData = (d: Buffer) => {
        const text = d.toString();
        log += text;
        if (log.length > LOG_KEEP * 2) log = log.slice(-LOG_KEEP);
        if (!started) sinceStart = (sinceStart + text).slice(-LOG_KEEP);
        if (!started && sinceStart.includes('Kafka Server started')) {
          started = true;
          clearTimeout(timer);
          resolveStart();
        }
      };
      p.stdout!.on('data', onData);
      p.stderr!.on('data', onData);
      exited = new Promise<void>((r) =>
        p.once('exit', (code, signal) => {
          running.delete(p);
          if (!started) {
            clearTimeout(timer);
            reject(new Error(`Kafka broker ${o.id} exited (${code ?? signal}) before it started:\n${log.slice(-6000)}`));
          }
          r();
        }),
      );
      const timer = setTimeout(() => {
        p.kill('SIGKILL');
        reject(new Error(`Kafka broker ${o.id} did not start within ${o.startTimeoutMs} ms:\n${log.slice(-6000)}`));
      }, o.startTimeoutMs);
    });

  const stop = async (opts: { kill?: boolean; graceMs?: number } = {}) => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    p.kill(opts.kill ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.graceMs ?? 20_000);
    await exited;
    clearTimeout(timer);
  };

  return {
    start,
    stop,
    pid: () => proc?.pid,
    running: () => !!proc && proc.exitCode === null && proc.signalCode === null,
    logText: () => log,
  };
}

/** Starts a Kafka cluster (one broker by default) and resolves once every broker serves. */
export async function startKafka(opts: StartKafkaOptions = {}): Promise<KafkaCluster> {
  const cp = kafkaClasspath();
  const n = opts.brokers ?? 1;
  if (n < 1 || n > 3) throw new Error('startKafka: brokers must be 1, 2 or 3');
  const root = mkdtempSync(join(tmpdir(), 'flowc-kafka-'));
  const jvmOpts = opts.jvmOpts ?? ['-Xmx512m', '-Xms64m'];
  const startTimeoutMs = opts.startTimeoutMs ?? 120_000;
  const nodes: ReturnType<typeof startNode>[] = [];
  const stopAll = async () => {
    // Brokers first: a broker whose controller is gone waits for it while shutting down.
    for (const node of [...nodes].reverse()) await node.stop();
  };
  try {
    const tls = opts.tls ? makeTls(root) : undefined;
    const sasl: KafkaSasl | undefined = opts.sasl
      ? {
          mechanism: 'PLAIN',
          username: 'flowc',
          password: 'flowc-secret',
          jaasConfig: 'org.apache.kafka.common.security.plain.PlainLoginModule required username="flowc" password="flowc-secret";',
        }
      : undefined;
    const controllerPort = await freePort();
    const allPorts: NodePorts[] = [];
    for (let id = 1; id <= n; id++) {
      allPorts.push({
        plain: await freePort(),
        controller: id === 1 ? controllerPort : undefined,
        ssl: tls ? await freePort() : undefined,
        sasl: sasl ? await freePort() : undefined,
        saslSsl: tls && sasl ? await freePort() : undefined,
      });
    }
    const id = clusterId();
    for (let i = 1; i <= n; i++) {
      const dir = join(root, `broker-${i}`);
      mkdirSync(dir, { recursive: true });
      const propsFile = join(dir, 'server.properties');
      writeFileSync(
        propsFile,
        serverProperties({ id: i, nodes: n, ports: allPorts[i - 1], controllerPort, logDir: join(dir, 'data'), partitions: opts.partitions ?? 1, tls, sasl, extra: opts.serverProperties ?? {} }),
      );
      try {
        execFileSync('java', ['-Xmx256m', '-cp', cp, 'kafka.tools.StorageTool', 'format', '-t', id, '-c', propsFile], { cwd: dir, stdio: 'pipe' });
      } catch (e) {
        const err = e as { stderr?: Buffer; stdout?: Buffer };
        throw new Error(`kafka-storage format failed for broker ${i}:\n${String(err.stderr ?? '')}${String(err.stdout ?? '').slice(-3000)}`);
      }
      nodes.push(startNode({ id: i, dir, cp, jvmOpts, startTimeoutMs }));
    }
    await nodes[0].start();
    await Promise.all(nodes.slice(1).map((node) => node.start()));

    const list = (pick: (p: NodePorts) => number | undefined) => {
      const ps = allPorts.map(pick).filter((p): p is number => p !== undefined);
      return ps.length ? ps.map((p) => `127.0.0.1:${p}`).join(',') : undefined;
    };
    return {
      bootstrap: list((p) => p.plain)!,
      sslBootstrap: list((p) => p.ssl),
      saslBootstrap: list((p) => p.sasl),
      saslSslBootstrap: list((p) => p.saslSsl),
      tls: tls && { caPem: tls.caPem, truststoreP12: tls.truststoreP12, truststorePassword: tls.truststorePassword },
      sasl,
      brokers: nodes.map((node, i) => ({ id: i + 1, port: allPorts[i].plain, ...node })),
      stop: async () => {
        await stopAll();
        rmSync(root, { recursive: true, force: true });
      },
      restart: async (r = {}) => {
        for (const node of [...nodes].reverse()) await node.stop({ kill: r.kill });
        await nodes[0].start();
        await Promise.all(nodes.slice(1).map((node) => node.start()));
      },
      logText: () => nodes.map((node, i) => `--- broker ${i + 1} ---\n${node.logText().slice(-20_000)}`).join('\n'),
    };
  } catch (e) {
    await stopAll();
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
}
