// Apache Flume 1.11 (the test peer, test/peers/.cache/flume) as a child JVM for the runtime
// benchmarks: `props` as agent `agent`'s flume.properties, HTTP monitoring on a free port, its
// log in `dir`. Resolves once /metrics answers and `ready(metrics)` holds (a source started,
// its port open, …); stopped by PID (SIGTERM, then SIGKILL).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { ROOT, freePort, getJson, sleep, spawnTracked } from './harness.mjs';

const PEER = join(ROOT, 'test/peers/.cache/flume');

export function flumeClasspath() {
  if (!existsSync(join(PEER, 'stamp'))) throw new Error(`Apache Flume 1.11 (the test peer) is not installed in ${PEER}: run bash test/peers/install.sh`);
  return [join(PEER, 'classes'), join(PEER, 'lib', '*')].join(delimiter);
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function portOpen(port) {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export async function startFlume(dir, props, { agent = 'a', heap = '256m', ready = async () => true, timeoutMs = 90_000 } = {}) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'flume.properties'), props);
  writeFileSync(
    join(dir, 'log4j2.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="ERROR"><Appenders><File name="f" fileName="${join(dir, 'flume.log')}"><PatternLayout pattern="%d %p %c{1}: %m%n"/></File></Appenders>
<Loggers><Root level="WARN"><AppenderRef ref="f"/></Root></Loggers></Configuration>
`,
  );
  const monitor = await freePort();
  const p = spawnTracked(
    'java',
    [`-Xmx${heap}`, `-Dlog4j2.configurationFile=${join(dir, 'log4j2.xml')}`, '-Dflume.monitoring.type=http', `-Dflume.monitoring.port=${monitor}`, '-cp', flumeClasspath(), 'org.apache.flume.node.Application', '-n', agent, '-f', join(dir, 'flume.properties'), '--no-reload-conf'],
    { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir },
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (p.proc.exitCode !== null) throw new Error(`Flume exited ${p.proc.exitCode}: ${p.stderr()}`);
    try {
      if (await ready(await getJson(monitor, '/metrics'))) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) {
      await p.stop();
      throw new Error(`Flume did not start in ${timeoutMs / 1000} s: ${p.stderr()}`);
    }
    await sleep(50);
  }
  return { pid: p.pid, metrics: () => getJson(monitor, '/metrics'), stderr: p.stderr, memory: p.memory, cpuMs: p.cpuMs, stop: p.stop };
}
