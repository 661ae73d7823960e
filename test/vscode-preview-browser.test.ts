// The VS Code graph preview's page in chromium, fed the way the extension feeds it: the graph
// from the language server (`flowc/graph`), the viewer and live scripts of the compiler, the
// extension's own media/preview.js, and the frames of a real `flowc run --ui` read from /state
// and posted into the page, as the extension host does. Rates must show on the edges, and a
// click on a node must ask the extension to reveal it. (The extension in a real VS Code is
// `npm run test:e2e`.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viewerCss, viewerScript } from '../compiler/graph/html-viewer.js';
import { liveCss, liveScript } from '../cli/live/page-script.js';
import { screenshots, useChromium } from './helpers/browser.js';
import { parseRate, quickstart, runAgent, sendSteadily } from './helpers/live.js';
import { startLsp, type LspClient } from './helpers/lsp.js';
import { scratch } from './runtime/helpers.js';

const { children, cleanup, work } = scratch();
const chromium = useChromium();
let lsp: LspClient;

beforeAll(async () => {
  lsp = await startLsp();
}, 60_000);

// Runs before useChromium's afterAll closes the browser.
afterAll(async () => {
  await lsp?.stop();
  await cleanup.reduceRight((p, f) => p.then(() => f()), Promise.resolve());
});

describe('the graph preview of the VS Code extension', () => {
  it('shows the live rates of a running agent and asks to reveal a clicked node', async () => {
    const dir = work();
    const { flow, port } = await quickstart(dir);
    const uri = await lsp.open('preview.flow', flow);
    const drawn = await lsp.request<{ svg: string; graph: unknown; nodes: Record<string, { line: number }> }>('flowc/graph', { textDocument: { uri }, live: true });
    expect(drawn.nodes['quickstart/channel/to_files']!.line).toBe(flow.split('\n').findIndex((l) => l.includes('channel to_files')));

    const agent = await runAgent(dir, flow, ['--ui', '--ui-port', '0']);
    children.push(agent.child);

    const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 640 } });
    cleanup.push(() => page.close());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const json = JSON.stringify(drawn.graph).replace(/</g, '\\u003c');
    await page.setContent(
      [
        '<!doctype html><html><head><meta charset="utf-8">',
        `<style>${viewerCss}${liveCss}${readFileSync('vscode-extension/media/preview.css', 'utf8')}</style></head><body>`,
        `<div id="stage">${drawn.svg}</div><aside id="panel" hidden></aside>`,
        '<div id="bar"><button id="fit" type="button">fit</button><span id="status"></span></div>',
        `<script type="application/json" id="flowc-graph">${json}</script>`,
        '<script>window.sent = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.sent.push(m) });</script>',
        `<script>${readFileSync('vscode-extension/media/preview.js', 'utf8')}</script>`,
        `<script>${viewerScript}</script>`,
        `<script>${liveScript(1000)}</script>`,
        '</body></html>',
      ].join('\n'),
    );

    // The extension host's part: read /state every second and post the frame into the page.
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const frame = await (await fetch(new URL('state', agent.ui))).json();
        await page.evaluate((f) => window.postMessage({ type: 'frame', frame: f }, '*'), frame);
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    cleanup.push(async () => {
      polling = false;
      await poll.catch(() => undefined);
    });

    await expect.poll(() => page.locator('#live-status').getAttribute('class'), { timeout: 10_000 }).toBe('live');
    const sending = sendSteadily(port, 300, 5);
    const toFiles = 'quickstart/selector/lines->quickstart/channel/to_files';
    const rate = async () => parseRate((await page.locator(`.edge-label[data-id="${toFiles}"] text.rate`).textContent()) ?? '') ?? 0;
    await expect.poll(rate, { timeout: 15_000 }).toBeGreaterThan(50);
    expect(await page.locator('[data-id="quickstart/channel/to_files"] .fill-badge text').textContent()).toMatch(/^\d+(\.\d)?%$/);
    await page.screenshot({ path: join(screenshots, 'vscode-preview-live.png') });
    await sending;

    await page.click('.node[data-id="quickstart/sink/files"]');
    expect(await page.evaluate(() => (window as unknown as { sent: unknown[] }).sent)).toContainEqual({ type: 'reveal', id: 'quickstart/sink/files' });
    expect(errors).toEqual([]);
  }, 90_000);
});
