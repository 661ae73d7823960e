// Running agents in this process: start them, serve the monitor, print the banner, and stop
// cleanly on SIGTERM/SIGINT (sources first, then the sinks drain the channels until a
// deadline, then exit: 0 when every channel was emptied, 1 with what was left where).
// Used by `flowc run` and by generated bundles.
import { AgentRuntime, StartError, type AgentOptions, type Undelivered } from './core/agent.js';
import type { ComponentRegistry } from './core/component.js';
import type { AgentRuntimeConfig } from './core/config.js';
import { ConfigError } from './core/config.js';
import { errorText } from './core/errors.js';
import { Logger } from './core/log.js';
import { startMonitor, type MonitorServer } from './monitor/server.js';

export interface RunOptions {
  registry: ComponentRegistry;
  monitorPort?: number;
  monitorHost?: string;
  /** How long the sinks may drain the channels at shutdown (ms). */
  drainTimeoutMs?: number;
  sinkRunner?: AgentOptions['sinkRunner'];
  restartBackoff?: AgentOptions['restartBackoff'];
  /** Where the agents log (by default stdout and stderr). */
  log?: Logger;
  /**
   * Which agents send to which (by name): receivers start before their senders, and at
   * shutdown senders stop and drain into receivers that are still listening.
   */
  links?: readonly AgentLinkNames[];
}

export interface AgentLinkNames {
  from: string;
  to: string;
}

export const DEFAULT_DRAIN_MS = 10_000;

export class Runner {
  agents: AgentRuntime[] = [];
  monitor: MonitorServer | undefined;

  private constructor(private readonly options: RunOptions) {}

  /** Builds and starts every agent; on failure, stops what started and throws (ConfigError or StartError). */
  static async start(configs: readonly AgentRuntimeConfig[], options: RunOptions): Promise<Runner> {
    const runner = new Runner(options);
    try {
      for (const c of configs) runner.agents.push(await runner.createAgent(c));
      for (const tier of runner.tiers().reverse()) for (const a of tier) await a.start();
      if (options.monitorPort !== undefined) {
        try {
          runner.monitor = await startMonitor(() => runner.agents, options.monitorPort, options.monitorHost);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          throw new StartError('monitor', code === 'EADDRINUSE' ? `monitor port ${options.monitorPort} is already in use` : `cannot start the monitor: ${errorText(e)}`);
        }
      }
    } catch (e) {
      await runner.stop(0);
      throw e;
    }
    return runner;
  }

  createAgent(c: AgentRuntimeConfig, previous?: AgentRuntime): Promise<AgentRuntime> {
    const o: AgentOptions = { registry: this.options.registry };
    if (this.options.sinkRunner) o.sinkRunner = this.options.sinkRunner;
    if (this.options.restartBackoff) o.restartBackoff = this.options.restartBackoff;
    if (this.options.log) o.log = this.options.log.child(c.agent);
    return AgentRuntime.create(c, o, previous);
  }

  /** The links after --watch reloaded the file. */
  setLinks(links: readonly AgentLinkNames[]): void {
    this.options.links = links;
  }

  /** Puts a reloaded agent in the place of the one it replaces (for --watch). */
  replace(old: AgentRuntime, next: AgentRuntime): void {
    const i = this.agents.indexOf(old);
    if (i >= 0) this.agents[i] = next;
    else this.agents.push(next);
  }

  /**
   * Stops the agents tier by tier, senders first: each tier's sources stop, its sinks drain
   * the channels (into the next tier, still listening) until the shared deadline, then its
   * sinks and channels stop.
   */
  async stop(drainTimeoutMs = this.options.drainTimeoutMs ?? DEFAULT_DRAIN_MS): Promise<{ drained: boolean; left: number; undelivered: Undelivered[] }> {
    const deadline = Date.now() + drainTimeoutMs;
    let drained = true;
    let left = 0;
    const undelivered: Undelivered[] = [];
    for (const tier of this.tiers()) {
      const agents = [...tier].reverse();
      for (const a of agents) await a.stopSources();
      const remaining = drainTimeoutMs > 0 ? Math.max(1, deadline - Date.now()) : 0;
      const results = await Promise.all(agents.map((a) => a.drain(remaining)));
      drained &&= results.every(Boolean);
      for (const a of agents) {
        left += await a.stopSinksAndChannels();
        undelivered.push(...a.undelivered);
      }
    }
    await this.monitor?.close();
    this.monitor = undefined;
    return { drained: drained && left === 0, left, undelivered };
  }

  /**
   * The agents in tiers along the links, senders first: an agent comes after every agent that
   * sends to it. Agents on a cycle of links share a tier with what follows them.
   */
  tiers(): AgentRuntime[][] {
    const links = (this.options.links ?? []).filter((l) => l.from !== l.to);
    let rest = [...this.agents];
    const out: AgentRuntime[][] = [];
    while (rest.length > 0) {
      const names = new Set(rest.map((a) => a.name));
      const fed = new Set(links.filter((l) => names.has(l.from) && names.has(l.to)).map((l) => l.to));
      const tier = rest.filter((a) => !fed.has(a.name));
      if (tier.length === 0) {
        out.push(rest);
        break;
      }
      out.push(tier);
      rest = rest.filter((a) => fed.has(a.name));
    }
    return out;
  }

  /** `extra`: lines about more endpoints (the live view's address), before the last line. */
  banner(version?: string, extra: readonly string[] = []): string {
    const lines: string[] = [];
    for (const a of this.agents) {
      lines.push(`flowc${version ? ` ${version}` : ''}: agent \`${a.name}\` running${a.config.file ? ` (${a.config.file})` : ''}`);
      const rows: [string, string][] = [];
      for (const e of a.endpoints()) {
        if (e.role === 'source' || e.endpoints.length > 0) rows.push([`${e.role} ${e.name} (${e.kind})`, e.endpoints.join(', ')]);
      }
      const w = Math.max(0, ...rows.map((r) => r[0].length));
      for (const [l, r] of rows) lines.push(`  ${l.padEnd(w)}  ${r}`.trimEnd());
    }
    if (this.monitor) lines.push(`monitor: ${this.monitor.url}/metrics (also /metrics/prometheus, /health, /status)`);
    lines.push(...extra, 'press Ctrl-C to stop');
    return lines.join('\n');
  }
}

/** A message for a failure to start, without a stack trace. */
export function startFailure(e: unknown): string {
  if (e instanceof StartError || e instanceof ConfigError) return `error: ${e.message}`;
  return `error: ${errorText(e)}`;
}

/** What a stop that timed out left behind, channel by channel, for the user. */
export function undeliveredReport(undelivered: readonly Undelivered[], drainTimeoutMs: number): string {
  const total = undelivered.reduce((n, u) => n + u.events, 0);
  const fate = (u: Undelivered) =>
    u.kind === 'memory' ? 'lost: a memory channel does not outlive the process' : u.kind === 'file' ? 'kept on disk for the next start' : `left in the ${u.kind} channel`;
  const lines = undelivered.map((u) => `  agent \`${u.agent}\`, channel \`${u.channel}\` (${u.kind}): ${u.events} event(s), ${fate(u)}`);
  return [
    `the sinks did not drain the channels within ${drainTimeoutMs} ms: ${total} accepted event(s) were not delivered`,
    ...lines,
    'give the sinks more time with --drain-timeout MS (or make sure they can deliver) before stopping',
  ].join('\n');
}

/**
 * Stops the runner on SIGTERM or SIGINT and exits with 0, or with 1 when events were left in
 * the channels (saying how many, in which channel). A second signal exits at once.
 */
export function stopOnSignals(runner: Runner, log: Logger, drainTimeoutMs: number, beforeExit?: () => void | Promise<void>): void {
  let stopping = false;
  const onSignal = (sig: string) => {
    if (stopping) {
      log.warn(`${sig} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    log.info(`${sig}: stopping sources; draining channels for up to ${drainTimeoutMs} ms`);
    runner.stop(drainTimeoutMs).then(
      ({ left, undelivered }) => {
        if (left === 0) log.info('stopped; every channel was drained');
        else log.error(`stopped; ${undeliveredReport(undelivered, drainTimeoutMs)}`);
        // Awaited, so that a last word to clients (the live view's) goes out before the exit.
        Promise.resolve()
          .then(beforeExit)
          .catch((e: unknown) => log.warn(`error while stopping: ${errorText(e)}`))
          .finally(() => process.exit(left === 0 ? 0 : 1));
      },
      (e) => {
        log.error(`error while stopping: ${errorText(e)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  stopWithLauncher(() => onSignal('the npm command that started this agent exited'));
}

/** How often the agent looks whether the npm command that started it is still there (ms). */
const LAUNCHER_POLL_MS = 500;

/**
 * `npx flowc run …` (and `npm exec`, `npm run`) starts the agent through `sh -c`: on SIGTERM,
 * npm passes the signal to that shell only, which dies, and the agent would run on, re-parented
 * to PID 1, after the user stopped the command. So when npm (or yarn, pnpm: they set the same
 * variable) started this process, the agent stops as on SIGTERM once its parent is gone. (Only
 * then: a plain `flowc run … &` may outlive its shell on purpose, as with nohup.)
 */
function stopWithLauncher(stop: () => void): void {
  if (!process.env.npm_execpath) return;
  const launcher = process.ppid;
  if (launcher <= 1) return;
  const timer = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(timer);
    stop();
  }, LAUNCHER_POLL_MS);
  timer.unref();
}

/** Entry point of a generated bundle: `node app.agent.mjs [--monitor-port P] [--drain-timeout MS]`. */
export async function runBundle(configs: readonly AgentRuntimeConfig[], registry: ComponentRegistry, argv = process.argv.slice(2)): Promise<void> {
  const opts: RunOptions = { registry };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--monitor-port') opts.monitorPort = Number(value());
    else if (flag === '--drain-timeout') opts.drainTimeoutMs = Number(value());
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write('usage: node <agent>.agent.mjs [--monitor-port PORT] [--drain-timeout MS]\n');
      return;
    } else {
      process.stderr.write(`error: unknown option \`${a}\`\n`);
      process.exitCode = 2;
      return;
    }
  }
  if (opts.monitorPort !== undefined && !(Number.isInteger(opts.monitorPort) && opts.monitorPort >= 0 && opts.monitorPort <= 65535)) {
    process.stderr.write('error: --monitor-port takes a port number\n');
    process.exitCode = 2;
    return;
  }
  const log = new Logger('flowc');
  let runner: Runner;
  try {
    runner = await Runner.start(configs, opts);
  } catch (e) {
    process.stderr.write(`${startFailure(e)}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`${runner.banner()}\n`);
  stopOnSignals(runner, log, opts.drainTimeoutMs ?? DEFAULT_DRAIN_MS);
}
