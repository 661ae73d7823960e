// The monitor: `/metrics` in Flume's JSON shape (`"TYPE.name"` to attributes, every value a
// string), `/metrics/prometheus` in the Prometheus text format, `/health` as JSON, `/status`
// (each component running, failing or stopped, with its last error) as JSON.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentRuntime } from '../core/agent.js';
import type { ComponentStatus } from '../core/status.js';

export interface MonitorServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Flume's JSON for the running agents. With one agent the keys are Flume's own
 * (`SOURCE.r1`); with several, the agent name is put between type and name (`SOURCE.a1.r1`).
 */
export function metricsJson(agents: readonly AgentRuntime[]): Record<string, Record<string, string>> {
  if (agents.length === 1) return agents[0]!.metrics.json();
  const out: Record<string, Record<string, string>> = {};
  for (const a of agents) {
    for (const c of a.metrics.all()) out[`${c.type}.${a.name}.${c.name}`] = c.attributes();
  }
  return out;
}

function snake(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function prometheusText(agents: readonly AgentRuntime[]): string {
  const series = new Map<string, string[]>();
  for (const a of agents) {
    for (const c of a.metrics.all()) {
      for (const [attr, v] of Object.entries(c.numbers())) {
        const name = `flume_${c.type.toLowerCase()}_${snake(attr)}`;
        let lines = series.get(name);
        if (!lines) series.set(name, (lines = []));
        const value = Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : 'NaN';
        lines.push(`${name}{agent="${label(a.name)}",component="${label(c.name)}"} ${value}`);
      }
    }
  }
  let out = '';
  for (const [name, lines] of series) {
    out += `# HELP ${name} Flume ${name.replace(/^flume_/, '').replace(/_/g, ' ')}\n# TYPE ${name} gauge\n${lines.join('\n')}\n`;
  }
  return out;
}

export function health(agents: readonly AgentRuntime[]): { status: 'ok' | 'degraded'; agents: Record<string, unknown> } {
  let ok = true;
  const out: Record<string, unknown> = {};
  for (const a of agents) {
    const components = a.health();
    if (components.some((c) => c.state !== 'running')) ok = false;
    out[a.name] = { components };
  }
  return { status: ok ? 'ok' : 'degraded', agents: out };
}

/** `{ agent: [{ role, name, state, restarts, failures, lastError?, lastErrorAt? }] }`. */
export function statusJson(agents: readonly AgentRuntime[]): Record<string, ComponentStatus[]> {
  return Object.fromEntries(agents.map((a) => [a.name, a.status()]));
}

export function startMonitor(agents: () => readonly AgentRuntime[], port: number, host = '127.0.0.1'): Promise<MonitorServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'TRACE' || req.method === 'OPTIONS') {
      res.writeHead(403).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' }).end(JSON.stringify(metricsJson(agents())));
    } else if (path === '/metrics/prometheus') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(prometheusText(agents()));
    } else if (path === '/health') {
      const h = health(agents());
      res.writeHead(h.status === 'ok' ? 200 : 503, { 'content-type': 'application/json;charset=utf-8' }).end(JSON.stringify(h));
    } else if (path === '/status') {
      res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' }).end(JSON.stringify(statusJson(agents())));
    } else if (path === '/') {
      res
        .writeHead(200, { 'content-type': 'text/html;charset=utf-8' })
        .end('<html><body><a href="./metrics">metrics</a> <a href="./metrics/prometheus">prometheus</a> <a href="./health">health</a> <a href="./status">status</a></body></html>');
    } else {
      res.writeHead(404).end();
    }
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const p = (server.address() as AddressInfo).port;
      resolve({
        port: p,
        url: `http://${host}:${p}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
  });
}
