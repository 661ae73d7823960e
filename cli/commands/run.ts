// `flowc run app.flow [--agent NAME] [--monitor-port P] [--watch] [--ui]`: checks the file (printing
// diagnostics as `flowc check` does; errors stop here, with nothing started), turns each agent
// into its runtime configuration and runs it in this process.
import { Option, type Command } from 'commander';
import type { FSWatcher } from 'node:fs';
import { runtimeConfig } from '../../compiler/emit/runtime-config.js';
import { checkRuntimeSupport } from '../../compiler/emit/bundle.js';
import type { AgentRuntimeConfig } from '../../runtime/core/config.js';
import { Logger } from '../../runtime/core/log.js';
import { errorText } from '../../runtime/core/errors.js';
import { dynamicRegistry } from '../../runtime/loader.js';
import { DEFAULT_DRAIN_MS, Runner, startFailure, stopOnSignals, type AgentLinkNames } from '../../runtime/main.js';
import { agentLinks, type AgentLink } from '../../compiler/links.js';
import type { Program } from '../../compiler/model.js';
import { EXIT_ERRORS, EXIT_USAGE } from '../exit-codes.js';
import { redraw, startUi, uiPort, type LiveView } from '../live/index.js';
import { compileOneFile } from '../compile-one.js';
import { watchSaves } from '../watch-file.js';
import { Reporter } from '../report.js';

interface RunOpts {
  agent?: string[];
  monitorPort?: string;
  watch?: boolean;
  drainTimeout?: string;
  ui?: boolean;
  uiPort?: string;
}

export function registerRun(program: Command, version: string): void {
  program
    .command('run')
    .description('check a .flow file and run its agents in this process')
    .argument('<file>', 'the .flow file')
    .option('-a, --agent <name>', 'run only this agent (repeat for several; all by default)', (v: string, prev: string[] = []) => [...prev, v])
    .addOption(new Option('-m, --monitor-port <port>', 'serve /metrics, /metrics/prometheus and /health on this port'))
    .addOption(new Option('--drain-timeout <ms>', 'at shutdown, how long sinks may drain the channels').default(String(DEFAULT_DRAIN_MS)))
    .option('-w, --watch', 're-check the file when it changes and restart what changed')
    .option('--ui', 'serve a live view of the flow (rates, channel fill, failures) on 127.0.0.1, port 8780')
    .addOption(new Option('--ui-port <port>', 'the live view on this port instead (0: any free port); implies --ui'))
    .version(version, '-V, --version')
    .exitOverride()
    .action(async (file: string, opts: RunOpts) => {
      process.exitCode = await run(file, opts, version);
    });
}

interface Loaded {
  configs: AgentRuntimeConfig[];
  program: Program;
  /** Links between the agents run here, with the address each sink sends to. */
  links: (AgentLink & { address?: string })[];
}

function load(file: string, agents: string[] | undefined): Loaded | number {
  const reporter = new Reporter('text', process.stderr);
  const compiled = compileOneFile(file, 'run', reporter, 'nothing was started');
  if (typeof compiled === 'number') return compiled;
  const { input: f, result } = compiled;
  let chosen = result.program.agents;
  if (agents && agents.length > 0) {
    const unknown = agents.filter((a) => !chosen.some((x) => x.name === a));
    if (unknown.length > 0) {
      process.stderr.write(
        `error: no agent \`${unknown[0]}\` in ${f.path}; it defines ${chosen.map((a) => `\`${a.name}\``).join(', ') || 'no agent'}\n`,
      );
      return EXIT_USAGE;
    }
    chosen = chosen.filter((a) => agents.includes(a.name));
  }
  if (chosen.length === 0) {
    if (reporter.diagnostics.length > 0) reporter.print();
    process.stderr.write(`error: ${f.path} defines no agent to run\n`);
    return EXIT_ERRORS;
  }
  // Links between agents that run here go over loopback, to the agent in this process.
  const localAgents = new Set(chosen.map((a) => a.name));
  const links = agentLinks(result.program).filter((l) => localAgents.has(l.agent) && localAgents.has(l.to.agent));
  const configs: AgentRuntimeConfig[] = [];
  for (const a of chosen) {
    const r = runtimeConfig(result.program, a, { localAgents });
    reporter.addFile(f.path, f.text, [...checkRuntimeSupport(a), ...r.diagnostics]);
    configs.push(r.config);
  }
  if (reporter.diagnostics.length > 0) reporter.print();
  if (reporter.errorCount > 0) {
    process.stderr.write('nothing was started\n');
    return EXIT_ERRORS;
  }
  const withAddress = links.map((l) => {
    const sink = chosen.find((a) => a.name === l.agent)?.sinks.find((k) => k.name === l.sink);
    const connects = sink?.spec?.connects;
    const params = configs.find((c) => c.agent === l.agent)?.sinks.find((k) => k.name === l.sink)?.params;
    const host = connects && params?.[connects.hostProperty];
    const port = connects && params?.[connects.portProperty];
    return host !== undefined && port !== undefined ? { ...l, address: `${String(host)}:${String(port)}` } : l;
  });
  return { configs, program: result.program, links: withAddress };
}

const linkNames = (links: readonly AgentLink[]): AgentLinkNames[] => links.map((l) => ({ from: l.agent, to: l.to.agent }));

/** Banner lines for the links between the agents run here, with the address each sink uses. */
function linkLines(links: Loaded['links']): string[] {
  if (links.length === 0) return [];
  return ['links between these agents:', ...links.map((l) => `  ${l.agent}.${l.sink} → ${l.to.agent}.${l.to.source}${l.address ? ` at ${l.address}` : ''}`)];
}

async function run(file: string, opts: RunOpts, version: string): Promise<number> {
  let monitorPort: number | undefined;
  if (opts.monitorPort !== undefined) {
    monitorPort = Number(opts.monitorPort);
    if (!Number.isInteger(monitorPort) || monitorPort < 0 || monitorPort > 65535) {
      process.stderr.write(`error: --monitor-port takes a port number (0–65535), not \`${opts.monitorPort}\`\n`);
      return EXIT_USAGE;
    }
  }
  const drainTimeoutMs = Number(opts.drainTimeout ?? DEFAULT_DRAIN_MS);
  if (!Number.isFinite(drainTimeoutMs) || drainTimeoutMs < 0) {
    process.stderr.write('error: --drain-timeout takes a number of milliseconds\n');
    return EXIT_USAGE;
  }
  const ui = uiPort(opts);
  if (typeof ui === 'object') {
    process.stderr.write(`error: ${ui.error}\n`);
    return EXIT_USAGE;
  }
  const loaded = load(file, opts.agent);
  if (typeof loaded === 'number') return loaded;
  let runner: Runner;
  let live: LiveView | undefined;
  try {
    runner = await Runner.start(loaded.configs, {
      registry: dynamicRegistry,
      ...(monitorPort !== undefined ? { monitorPort } : {}),
      drainTimeoutMs,
      links: linkNames(loaded.links),
    });
  } catch (e) {
    process.stderr.write(`${startFailure(e)}\nnothing is running\n`);
    if (process.env.FLOWC_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return EXIT_ERRORS;
  }
  try {
    if (ui !== undefined) live = await startUi(loaded.program, runner, ui);
  } catch (e) {
    await runner.stop(0);
    process.stderr.write(`${startFailure(e)}\nnothing is running\n`);
    if (process.env.FLOWC_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return EXIT_ERRORS;
  }
  process.stdout.write(`${runner.banner(version, [...linkLines(loaded.links), ...(live ? [`live view: ${live.url}`] : [])])}\n`);
  const log = new Logger('flowc');
  let watcher: FSWatcher | undefined;
  const view = live;
  if (opts.watch) watcher = watchAndReload(file, opts, runner, log, loaded.configs, view && ((l) => redraw(view, l.program, runner)));
  stopOnSignals(runner, log, drainTimeoutMs, async () => {
    watcher?.close();
    await view?.close();
  });
  return 0;
}

/**
 * Re-checks the file when it changes. With errors, the diagnostics are printed and the agents
 * keep running as they are. Otherwise each agent whose configuration changed is rebuilt:
 * channels whose configuration is the same are carried over with their events; the other
 * components are restarted.
 */
function watchAndReload(file: string, opts: RunOpts, runner: Runner, log: Logger, initial: AgentRuntimeConfig[], onChange?: (loaded: Loaded) => Promise<void>): FSWatcher {
  let current = new Map(initial.map((c) => [c.agent, c]));
  let reloading = Promise.resolve();
  const reload = async () => {
    const loaded = load(file, opts.agent);
    if (typeof loaded === 'number') {
      log.warn('the file has errors; the agents keep running as they were');
      return;
    }
    const next = new Map(loaded.configs.map((c) => [c.agent, c]));
    runner.setLinks(linkNames(loaded.links));
    let changed = 0;
    for (const [name, cfg] of next) {
      const before = current.get(name);
      if (before && JSON.stringify(before) === JSON.stringify(cfg)) continue;
      changed++;
      const old = runner.agents.find((a) => a.name === name);
      try {
        const fresh = await runner.createAgent(cfg, old);
        const kept = fresh.adopted;
        if (old) await old.stop(0, new Set(kept));
        await fresh.start();
        runner.replace(old ?? fresh, fresh);
        const unchanged = new Set(fresh.adoptedUnits);
        const restarted = [...cfg.sources.map((x) => `source:${x.name}`), ...[...cfg.sinkGroups.map((g) => g.name), ...cfg.sinks.filter((k) => !cfg.sinkGroups.some((g) => g.sinks.includes(k.name))).map((k) => k.name)].map((n) => `sink:${n}`)]
          .filter((u) => !unchanged.has(u))
          .map((u) => u.replace(':', ' `') + '`');
        const keptText = kept.length > 0 ? `; kept channel(s) ${kept.map((k) => `\`${k}\``).join(', ')} with their events` : '';
        const restartText = restarted.length > 0 && unchanged.size > 0 ? `; restarted only ${restarted.join(', ')}` : '';
        log.info(`agent \`${name}\` reloaded${keptText}${restartText}`);
      } catch (e) {
        log.error(`could not reload agent \`${name}\`: ${errorText(e)}`);
      }
    }
    for (const [name] of current) {
      if (next.has(name)) continue;
      const old = runner.agents.find((a) => a.name === name);
      if (old) {
        await old.stop(0);
        runner.agents = runner.agents.filter((a) => a !== old);
        log.info(`agent \`${name}\` removed`);
        changed++;
      }
    }
    current = next;
    if (changed === 0) log.info('no change to run');
    else await onChange?.(loaded).catch((e: unknown) => log.warn(`could not redraw the live view: ${errorText(e)}`));
  };
  return watchSaves(file, () => {
    reloading = reloading.then(reload, reload);
  });
}
