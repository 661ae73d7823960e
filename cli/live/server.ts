// The live view's HTTP server (`flowc run --ui`): the page at `/`, frames as server-sent
// events at `/events`, the latest frame as JSON at `/state`. It listens on 127.0.0.1 only and
// answers only requests addressed to 127.0.0.1 or localhost, so that a web page elsewhere
// cannot reach it through DNS rebinding. The agents are sampled on a timer of their own; a
// page connecting or disconnecting changes nothing for them.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FlowGraph } from '../../compiler/graph/model.js';
import type { AgentRuntime } from '../../runtime/core/agent.js';
import { LiveFeed, type Frame } from './feed.js';
import { livePage } from './page.js';
import { frameText, SseHub } from './sse.js';

export const DEFAULT_UI_PORT = 8780;
const HOST = '127.0.0.1';

export interface LiveViewOptions {
  graph: FlowGraph;
  agents: () => readonly AgentRuntime[];
  port: number;
  /** Time between frames (ms). */
  intervalMs?: number;
}

export interface LiveView {
  readonly url: string;
  readonly port: number;
  /** Draws a new graph (after --watch reloaded the file); open pages load it. */
  setGraph(graph: FlowGraph): Promise<void>;
  /** Sends a last frame, ends every event stream and stops listening. */
  close(): Promise<void>;
}

export async function startLiveView(options: LiveViewOptions): Promise<LiveView> {
  const interval = options.intervalMs ?? 1000;
  let page = await livePage(options.graph, interval);
  let feed = new LiveFeed(options.graph, options.agents);
  let latest: Frame = feed.tick();
  const hub = new SseHub();
  let port = 0;

  const allowedHosts = () => new Set([`${HOST}:${port}`, `localhost:${port}`]);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!allowedHosts().has((req.headers.host ?? '').toLowerCase())) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('this view answers to 127.0.0.1 and localhost only\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    const common = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
    if (path === '/') {
      res.writeHead(200, { ...common, 'content-type': 'text/html; charset=utf-8', 'x-frame-options': 'DENY' }).end(page);
    } else if (path === '/events') {
      hub.add(req, res, frameText('frame', latest, latest.seq));
    } else if (path === '/state') {
      res.writeHead(200, { ...common, 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(latest));
    } else {
      res.writeHead(404, common).end();
    }
  });
  server.headersTimeout = 5_000;
  // Event streams stay open; only the reading of a request is bounded.
  server.requestTimeout = 0;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  const tick = () => {
    latest = feed.tick();
    hub.send('frame', latest, latest.seq);
  };
  const timer = setInterval(tick, interval);
  timer.unref();

  let closing: Promise<void> | undefined;
  return {
    url: `http://${HOST}:${port}/`,
    port,
    async setGraph(graph) {
      page = await livePage(graph, interval);
      feed = new LiveFeed(graph, options.agents);
      latest = feed.tick();
      hub.send('reload', {});
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(timer);
        latest = feed.tick();
        hub.send('frame', latest, latest.seq);
        hub.close('bye', { at: Date.now() });
        // Ended streams leave idle sockets, which close() closes; a client that does not
        // let go is cut off after a moment.
        server.close(() => resolve());
        setTimeout(() => server.closeAllConnections(), 500).unref();
      });
      return closing;
    },
  };
}
