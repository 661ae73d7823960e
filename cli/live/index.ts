// `flowc run --ui [--ui-port P]`: what `run.ts` needs to serve the live view of the agents it
// runs, kept here so that the command only wires it in.
import type { Program } from '../../compiler/model.js';
import { StartError } from '../../runtime/core/agent.js';
import { errorText } from '../../runtime/core/errors.js';
import type { Runner } from '../../runtime/main.js';
import { liveGraph } from './graph.js';
import { DEFAULT_UI_PORT, startLiveView, type LiveView } from './server.js';

export type { LiveView } from './server.js';

/** The port asked for: `undefined` without `--ui` (`--ui-port` alone implies it), or an error text. */
export function uiPort(opts: { ui?: boolean; uiPort?: string }): number | undefined | { error: string } {
  if (opts.uiPort === undefined) return opts.ui ? DEFAULT_UI_PORT : undefined;
  const port = Number(opts.uiPort);
  if (!/^\d+$/.test(opts.uiPort) || port > 65535) return { error: `--ui-port takes a port number (0–65535), not \`${opts.uiPort}\`` };
  return port;
}

/** Serves the live view of the runner's agents; a port in use is a StartError, as for the monitor. */
export async function startUi(program: Program, runner: Runner, port: number): Promise<LiveView> {
  try {
    return await startLiveView({ graph: liveGraph(program, runner.agents.map((a) => a.name)), agents: () => runner.agents, port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new StartError('ui', code === 'EADDRINUSE' ? `ui port ${port} is already in use (pick another with --ui-port, or 0 for any free port)` : `cannot start the live view: ${errorText(e)}`);
  }
}

/** After --watch reloaded the file: the agents now running, drawn again. */
export function redraw(view: LiveView, program: Program, runner: Runner): Promise<void> {
  return view.setGraph(liveGraph(program, runner.agents.map((a) => a.name)));
}
