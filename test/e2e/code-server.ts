// code-server (VS Code in a browser) for the end-to-end tests: installed by
// install-code-server.sh in .cache/e2e, started on 127.0.0.1 with no authentication and no
// telemetry, with every folder it writes (XDG_*, user data, extensions) in a temp folder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';
const cache = resolve('.cache/e2e');

function node24(): string {
  const dir = join(cache, 'node24/node_modules/node/node_modules');
  const platform = existsSync(dir) ? readdirSync(dir).find((d) => d.startsWith('node-linux-') || d.startsWith('node-darwin-')) : undefined;
  const bin = platform && join(dir, platform, 'bin/node');
  if (!bin || !existsSync(bin)) throw new Error('Node 24 is not installed for the e2e tests: run `bash test/e2e/install-code-server.sh`');
  return bin;
}

function entry(): string {
  const js = join(cache, `code-server-${CODE_SERVER_VERSION}/node_modules/code-server/out/node/entry.js`);
  if (!existsSync(js)) throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed: run \`bash test/e2e/install-code-server.sh\``);
  return js;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

export interface CodeServer {
  url: string;
  home: string;
  log: () => string;
  stop(): Promise<void>;
}

export async function startCodeServer(options: { vsix: string; workspace: string; settings: Record<string, unknown> }): Promise<CodeServer> {
  const node = node24();
  const js = entry();
  const home = mkdtempSync(join(tmpdir(), 'flowc-code-server-'));
  const dirs = { config: join(home, 'config'), data: join(home, 'data'), cache: join(home, 'cache'), state: join(home, 'state') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const userData = join(home, 'user-data');
  const extensions = join(home, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User/settings.json'), JSON.stringify(options.settings, null, 2));
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: dirs.cache,
    XDG_STATE_HOME: dirs.state,
    // The extension's language server runs under the extension host's node (Node 24).
    NODE_OPTIONS: '',
  };
  const common = ['--user-data-dir', userData, '--extensions-dir', extensions, '--disable-telemetry', '--disable-update-check'];
  const install = spawnSync(node, [js, ...common, '--install-extension', options.vsix], { env, encoding: 'utf8', timeout: 300_000 });
  if (install.status !== 0 || !/successfully installed/i.test(install.stdout + install.stderr)) {
    throw new Error(`installing ${options.vsix} into code-server failed (${install.status}):\n${install.stdout}\n${install.stderr}`);
  }
  const port = await freePort();
  let log = '';
  const child: ChildProcess = spawn(
    node,
    [js, ...common, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened', options.workspace],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${log}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`code-server did not answer on ${url} within 180 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    home,
    log: () => log,
    async stop() {
      if (child.exitCode === null && child.pid) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // gone
          }
        }, 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
