// `flowc send [file...]`: the counterpart of `flume-ng avro-client`. Each line of the files (or
// of standard input) becomes one event, sent in batches over Flume Avro RPC to an avro source,
// ours or Flume's: `--host/--port`, or `--flow app.flow --to agent.source`, which also takes
// the source's compression and TLS. Batches go one after the other, so that when one is not
// acknowledged everything before it was delivered and nothing after it was sent: the command
// says where to start again, and exits 1.
import { Option, type Command } from 'commander';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { runtimeConfig } from '../../compiler/emit/runtime-config.js';
import { parseProperties } from '../../compiler/properties/reader.js';
import { toFlumeText } from '../../compiler/values.js';
import { headersOf, type Event, type Headers } from '../../runtime/core/event.js';
import { AvroClient, type AvroClientOptions } from '../../runtime/rpc/client.js';
import { compileOneFile } from '../compile-one.js';
import { EXIT_ERRORS, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { describeFsError } from '../inputs.js';
import { Reporter } from '../report.js';

interface SendOptions {
  host?: string;
  port?: string;
  flow?: string;
  to?: string;
  header: string[];
  headersFile?: string;
  batchSize: string;
  compression?: 'none' | 'deflate';
  compressionLevel?: string;
  ssl?: boolean;
  trustAllCerts?: boolean;
  truststore?: string;
  truststorePassword?: string;
  truststoreType?: string;
  connectTimeout: string;
  requestTimeout: string;
  quiet?: boolean;
}

/** A mistake in the command line or its files: printed as `error: ...`, exit 2. */
class UsageError extends Error {}

export function registerSend(program: Command, version: string): void {
  program
    .command('send')
    .description('send lines (of files, or standard input) as events to an avro source, like flume-ng avro-client')
    .argument('[files...]', 'files whose lines to send, in order; standard input when none (or `-`)')
    .option('--host <host>', 'the avro source\'s host (default: localhost)')
    .option('-p, --port <port>', 'the avro source\'s port')
    .option('--flow <file>', 'a .flow file that declares the source (with --to)')
    .option('--to <agent.source>', 'send to this avro source of the --flow file: its host, port, compression and TLS')
    .option('-H, --header <key=value>', 'a header on every event (repeat for more)', (v: string, prev: string[]) => [...prev, v], [])
    .option('-R, --headers-file <file>', 'headers for every event from a properties file (key=value lines), as avro-client -R')
    .addOption(new Option('-b, --batch-size <n>', 'events per appendBatch call').default('100'))
    .addOption(new Option('--compression <type>', 'deflate the stream, as the source\'s compression-type').choices(['none', 'deflate']))
    .option('--compression-level <0-9>', 'deflate level (default 6)')
    .option('--ssl', 'connect over TLS (the source has ssl = true)')
    .option('--trust-all-certs', 'TLS without checking the server\'s certificate (implies --ssl)')
    .option('--truststore <file>', 'trust the certificates of this PKCS12 or PEM file (implies --ssl)')
    .option('--truststore-password <password>', 'password of the truststore')
    .option('--truststore-type <type>', 'PKCS12 or PEM (default: from the file)')
    .addOption(new Option('--connect-timeout <ms>', 'longest wait for the connection').default('20000'))
    .addOption(new Option('--request-timeout <ms>', 'longest wait for each batch\'s answer').default('20000'))
    .option('-q, --quiet', 'print nothing when every event was delivered')
    .version(version, '-V, --version')
    .exitOverride()
    .action(async (files: string[], opts: SendOptions) => {
      process.exitCode = await send(files, opts);
    });
}

async function send(files: string[], opts: SendOptions): Promise<number> {
  let plan: Plan;
  try {
    plan = makePlan(files, opts);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    return EXIT_USAGE;
  }
  if (typeof plan.client === 'number') return plan.client;
  const address = `${plan.client.host}:${plan.client.port}`;
  const started = Date.now();
  let client: AvroClient;
  try {
    client = await AvroClient.connect(plan.client);
  } catch (e) {
    const message = (e as Error).message;
    const hint = /TLS|certificate/i.test(message)
      ? 'check the TLS options: --truststore FILE (PKCS12 or PEM) to trust the source\'s certificate, or --trust-all-certs'
      : `is an avro source listening on ${address}? (\`flowc run\` prints each source's address)`;
    process.stderr.write(`error: ${message}\nnothing was sent: ${hint}\n`);
    return EXIT_ERRORS;
  }
  const sender = new BatchSender(client, plan.batchSize, plan.headers);
  const onSignal = () => {
    process.stderr.write(`\ninterrupted: ${sender.delivered} event(s) were delivered${sender.nextLine ? `; the first not delivered is ${sender.nextLine}` : ''}\n`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const input of plan.inputs) await sender.sendLines(input);
    await sender.flush();
  } catch (e) {
    await client.close().catch(() => undefined);
    const where = sender.nextLine ? `; the first not delivered is ${sender.nextLine}, and nothing after it was sent` : '';
    const reason = e instanceof NotAcknowledged ? e.message : `${(e as Error).message}`;
    process.stderr.write(`error: a batch of ${sender.pending} event(s) was not acknowledged: ${reason}\n${sender.delivered} event(s) were delivered to ${address}${where}\n`);
    return EXIT_ERRORS;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  await client.close().catch(() => undefined);
  if (!opts.quiet) {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(`sent ${sender.delivered} event(s) in ${sender.batches} batch(es) to ${address} (${seconds} s); every batch was acknowledged\n`);
  }
  return EXIT_OK;
}

interface Plan {
  /** The client's options, or the exit code after a .flow file's diagnostics were printed. */
  client: AvroClientOptions | number;
  inputs: string[];
  batchSize: number;
  headers: Headers;
}

function makePlan(files: string[], opts: SendOptions): Plan {
  const batchSize = integer(opts.batchSize, '--batch-size', 1, 1_000_000);
  const connectTimeoutMs = integer(opts.connectTimeout, '--connect-timeout', 1, 3_600_000);
  const requestTimeoutMs = integer(opts.requestTimeout, '--request-timeout', 1, 3_600_000);
  const headers = headersOf([...(opts.headersFile !== undefined ? headersFile(opts.headersFile) : []), ...opts.header.map(headerArg)]);
  const inputs = files.length === 0 ? ['-'] : files;
  if (inputs.filter((f) => f === '-').length > 1) throw new UsageError('standard input (`-`) can be read only once');
  for (const f of inputs) {
    if (f === '-') continue;
    let isFile: boolean;
    try {
      isFile = statSync(f).isFile();
    } catch (e) {
      throw new UsageError(describeFsError(e, f));
    }
    if (!isFile) throw new UsageError(`\`${f}\` is not a file; name the files to send (\`${f}/*.log\`)`);
  }
  const target = opts.to !== undefined || opts.flow !== undefined ? fromFlow(opts) : undefined;
  if (typeof target === 'number') return { client: target, inputs, batchSize, headers };
  const port = opts.port !== undefined ? integer(opts.port, '--port', 1, 65535) : target?.port;
  if (port === undefined) throw new UsageError('say where to send: `--port P` (and `--host H`), or `--flow app.flow --to agent.source`');
  const client: AvroClientOptions = { host: opts.host ?? target?.host ?? 'localhost', port, connectTimeoutMs, requestTimeoutMs };
  const compression = opts.compression ?? target?.compression ?? 'none';
  if (opts.compressionLevel !== undefined && compression !== 'deflate') throw new UsageError('--compression-level applies to --compression deflate');
  if (compression === 'deflate') {
    client.compression = { type: 'deflate', level: opts.compressionLevel !== undefined ? integer(opts.compressionLevel, '--compression-level', 0, 9) : 6 };
  }
  const tlsAsked = opts.ssl || opts.trustAllCerts || opts.truststore !== undefined || target?.ssl === true;
  if (!tlsAsked && (opts.truststorePassword !== undefined || opts.truststoreType !== undefined)) throw new UsageError('--truststore-password and --truststore-type go with --truststore');
  if (tlsAsked) {
    const tls: NonNullable<AvroClientOptions['tls']> = {};
    if (opts.trustAllCerts) tls.trustAllCerts = true;
    if (opts.truststore !== undefined) tls.truststore = opts.truststore;
    if (opts.truststorePassword !== undefined) tls.truststorePassword = opts.truststorePassword;
    if (opts.truststoreType !== undefined) tls.truststoreType = opts.truststoreType;
    client.tls = tls;
  }
  return { client, inputs, batchSize, headers };
}

interface FlowTarget {
  host: string;
  port: number;
  compression: 'none' | 'deflate';
  ssl: boolean;
}

/** The avro source named by `--to` in the `--flow` file; a number is the exit code after its diagnostics. */
function fromFlow(opts: SendOptions): FlowTarget | number {
  if (opts.flow === undefined) throw new UsageError('--to names a source of a .flow file: add `--flow app.flow`');
  if (opts.to === undefined) throw new UsageError('--flow goes with `--to agent.source`, the avro source to send to');
  const m = /^([^.]+)\.(.+)$/.exec(opts.to);
  if (!m) throw new UsageError(`--to takes \`agent.source\`, not \`${opts.to}\``);
  const [, agentName, sourceName] = m as unknown as [string, string, string];
  const reporter = new Reporter('text', process.stderr);
  const compiled = compileOneFile(opts.flow, 'send', reporter, 'nothing was sent');
  if (typeof compiled === 'number') return compiled;
  const program = compiled.result.program;
  const agent = program.agents.find((a) => a.name === agentName);
  if (!agent) throw new UsageError(`no agent \`${agentName}\` in ${opts.flow}; it defines ${program.agents.map((a) => `\`${a.name}\``).join(', ') || 'no agent'}`);
  const source = agent.sources.find((s) => s.name === sourceName);
  if (!source) throw new UsageError(`agent \`${agentName}\` has no source \`${sourceName}\`; its sources are ${agent.sources.map((s) => `\`${s.name}\``).join(', ') || 'none'}`);
  if (source.spec?.kind !== 'avro') throw new UsageError(`\`${opts.to}\` is a ${source.spec?.kind ?? source.type} source; \`flowc send\` speaks Avro RPC to an avro source`);
  const params = runtimeConfig(program, agent).config.sources.find((s) => s.name === sourceName)!.params;
  const bind = typeof params.bind === 'string' ? params.bind : '';
  // The agent's `on` host, as an avro sink's `to` resolves it; else where it listens, here.
  const onText = agent.host ? toFlumeText(agent.host, undefined, { kind: 'resolve', env: process.env }) : undefined;
  const on = onText?.ok && onText.text !== '' ? onText.text : undefined;
  const host = on ?? (bind === '' || bind === '0.0.0.0' || bind === '::' ? 'localhost' : bind);
  return { host, port: Number(params.port), compression: params['compression-type'] === 'deflate' ? 'deflate' : 'none', ssl: params.ssl === true };
}

function integer(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) throw new UsageError(`${flag} takes a whole number from ${min} to ${max}, not \`${text}\``);
  return n;
}

function headerArg(text: string): [string, string] {
  const i = text.indexOf('=');
  if (i <= 0) throw new UsageError(`-H takes \`key=value\`, not \`${text}\``);
  return [text.slice(0, i), text.slice(i + 1)];
}

/** A properties file, read as Flume's avro-client reads its -R file (java.util.Properties). */
function headersFile(path: string): [string, string][] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(describeFsError(e, path));
  }
  const parsed = parseProperties(bytes);
  const problem = parsed.problems[0];
  if (problem) throw new UsageError(`${path}:${problem.line}:${problem.col}: ${problem.message}`);
  return [...parsed.map.values()].map((p) => [p.key, p.value]);
}

class NotAcknowledged extends Error {}

const NEWLINE = 0x0a;
const CR = 0x0d;

/** Cuts input into lines and sends them in batches, one batch in flight at a time. */
class BatchSender {
  delivered = 0;
  batches = 0;
  /** `file:line` of the first line not yet delivered. */
  nextLine = '';
  private batch: Event[] = [];

  constructor(
    private readonly client: AvroClient,
    private readonly batchSize: number,
    private readonly headers: Headers,
  ) {}

  get pending(): number {
    return this.batch.length;
  }

  async sendLines(input: string): Promise<void> {
    const name = input === '-' ? '<stdin>' : input;
    const stream = input === '-' ? process.stdin : createReadStream(input, { highWaterMark: 256 * 1024 });
    let carry: Buffer | undefined;
    let line = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const data = carry ? Buffer.concat([carry, chunk]) : chunk;
        carry = undefined;
        let start = 0;
        for (let nl = data.indexOf(NEWLINE, start); nl >= 0; nl = data.indexOf(NEWLINE, start)) {
          const end = nl > start && data[nl - 1] === CR ? nl - 1 : nl;
          await this.add(data.subarray(start, end), name, ++line);
          start = nl + 1;
        }
        if (start < data.length) carry = Buffer.from(data.subarray(start));
      }
    } catch (e) {
      if (e instanceof NotAcknowledged || !isReadError(e)) throw e;
      throw new NotAcknowledged(describeFsError(e, name));
    }
    // A last line without a newline is a line too.
    if (carry && carry.length > 0) await this.add(carry[carry.length - 1] === CR ? carry.subarray(0, -1) : carry, name, ++line);
  }

  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const events = this.batch;
    let status: string;
    try {
      status = await this.client.appendBatch(events);
    } catch (e) {
      throw new NotAcknowledged((e as Error).message);
    }
    if (status !== 'OK') {
      throw new NotAcknowledged(
        status === 'FAILED' ? 'the source answered FAILED (its channel is full or failing; try again later)' : `the source answered ${status}`,
      );
    }
    this.delivered += events.length;
    this.batches++;
    this.batch = [];
    this.nextLine = '';
  }

  private async add(body: Buffer, file: string, line: number): Promise<void> {
    if (this.batch.length === 0) this.nextLine = `${file}:${line}`;
    this.batch.push({ headers: this.headers, body });
    if (this.batch.length >= this.batchSize) await this.flush();
  }
}

function isReadError(e: unknown): boolean {
  return typeof (e as NodeJS.ErrnoException)?.code === 'string' && (e as NodeJS.ErrnoException).syscall === 'read';
}
