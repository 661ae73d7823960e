// `flowc run --ui` in a real browser: Debian's chromium driven by playwright-core, against the
// built CLI running real agents in child processes. The rates the page shows must agree with
// Flume's counters at /metrics, a sink that loses its server must turn red with its error in
// the hover panel, a topology shows every agent with the live rate on the link between them,
// and none of it may reload the drawing. Screenshots land in test-output/screenshots/live-*.png
// for a human to look at.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { screenshots, useChromium, watchedPage, type WatchedPage } from './helpers/browser.js';
import { describe, expect, it } from 'vitest';
import { metricsOf, parseRate, quickstart, runAgent, sendSteadily, type Agent } from './helpers/live.js';
import { collector, freePort, removeDir, tempDir, waitFor, type Child, scratch } from './runtime/helpers.js';


const { children, cleanup, work } = scratch();

async function start(flow: string, dir: string, args: string[]): Promise<Agent> {
  const agent = await runAgent(dir, flow, args);
  children.push(agent.child);
  return agent;
}

/** The live view at `url` in a new page; `outside` holds requests to anywhere but its own origin. */
async function open(browser: Browser, url: string, viewport = { width: 1280, height: 640 }): Promise<WatchedPage> {
  const opened = await watchedPage(browser, new URL(url).origin, viewport);
  const { page } = opened;
  cleanup.push(() => page.close());
  await page.goto(url);
  // Marks the drawing: if the page ever reloaded or redrew it, the mark would be gone.
  await page.evaluate(() => ((document.querySelector('#stage > svg') as unknown as { flowcMark: number }).flowcMark = 42));
  return opened;
}

const sameDrawing = (page: Page) => page.evaluate(() => (document.querySelector('#stage > svg') as unknown as { flowcMark?: number }).flowcMark === 42);

const rateText = (page: Page, edge: string) => page.locator(`.edge-label[data-id="${edge}"] text.rate`).textContent();

describe('flowc run --ui in chromium', () => {
  const chromium = useChromium();

  it('shows the quickstart\'s rates on its edges, in line with /metrics, and each channel\'s fill', async () => {
    const dir = work();
    const { flow, port } = await quickstart(dir);
    const agent = await start(flow, dir, ['--ui', '--ui-port', '0', '--monitor-port', '0']);
    const { page, outside, errors } = await open(chromium.browser, agent.ui);
    await expect.poll(() => page.locator('#live-status').getAttribute('class'), { timeout: 10_000 }).toBe('live');

    const toFiles = 'quickstart/selector/lines->quickstart/channel/to_files';
    const fromSource = 'quickstart/source/lines->quickstart/selector/lines';
    const perSecond = 400;
    const sending = sendSteadily(port, perSecond, 7);
    await expect.poll(async () => parseRate((await rateText(page, toFiles)) ?? '') ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);

    // The rate from /metrics: EventPutSuccessCount over two seconds, while the page shows its own.
    await new Promise((r) => setTimeout(r, 1500));
    const put = async () => ({ at: Date.now(), n: Number((await metricsOf(agent.monitor!))['CHANNEL.to_files']!.EventPutSuccessCount) });
    const a = await put();
    await new Promise((r) => setTimeout(r, 2000));
    const b = await put();
    const fromMetrics = (b.n - a.n) / ((b.at - a.at) / 1000);
    const shown = parseRate((await rateText(page, toFiles))!)!;
    const shownFromSource = parseRate((await rateText(page, fromSource))!)!;
    expect(fromMetrics).toBeGreaterThan(perSecond * 0.7);
    expect(Math.abs(shown - fromMetrics) / fromMetrics).toBeLessThan(0.2);
    expect(Math.abs(shownFromSource - fromMetrics) / fromMetrics).toBeLessThan(0.2);
    expect(await page.locator(`.edge[data-id="${toFiles}"]`).getAttribute('class')).toContain('flowing');

    // Each channel: a gauge and its figure.
    const badge = page.locator('[data-id="quickstart/channel/to_files"] .fill-badge text');
    expect(await badge.textContent()).toMatch(/^\d+(\.\d)?%$/);
    expect(await page.locator('[data-id="quickstart/channel/to_files"] .gauge-fill').count()).toBe(1);
    await page.screenshot({ path: join(screenshots, 'live-quickstart.png') });

    // The hover panel: the model's properties, and what is happening now.
    await page.hover('[data-id="quickstart/channel/to_files"]');
    const panel = page.locator('#panel');
    await expect.poll(() => panel.isVisible(), { timeout: 5_000 }).toBe(true);
    await expect.poll(() => panel.innerText(), { timeout: 5_000 }).toMatch(/put\/s\s+\d/);
    const text = await panel.innerText();
    expect(text).toContain('running');
    expect(text).toMatch(/fill\s+\d+(\.\d)?% \(\d+ of 10000\)/);
    expect(text).toMatch(/transactionCapacity\s+100/);
    await page.screenshot({ path: join(screenshots, 'live-quickstart-hover.png') });
    await page.mouse.move(5, 5);
    await sending;

    // Traffic stops: the rates fall to zero with the next frames, on the same drawing.
    await expect.poll(async () => rateText(page, toFiles), { timeout: 10_000 }).toBe('0 ev/s');
    expect(await sameDrawing(page)).toBe(true);

    agent.child.proc.kill('SIGTERM');
    expect(await agent.child.exited).toBe(0);
    await expect.poll(() => page.locator('#live-status').textContent(), { timeout: 10_000 }).toBe('the agent has stopped');
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);

  it('turns an http sink red when its server goes away, with the error in the hover panel', async () => {
    const dir = work();
    const server = await collector();
    cleanup.push(() => server.close().catch(() => undefined));
    const port = await freePort();
    const flow = `agent web {
  source lines : netcat { bind = "127.0.0.1", port = ${port} }
  channel buf : memory { capacity = 1_000, transactionCapacity = 100 }
  sink post : http {
    endpoint = "http://127.0.0.1:${server.port}/ingest"
    connectTimeout = 1s
    rollback.200 = false
    "backoff.2XX" = false
    incrementMetrics.200 = true
  }
  lines -> buf -> post
}
`;
    const agent = await start(flow, dir, ['--ui-port', '0', '--drain-timeout', '300']);
    const { page, errors } = await open(chromium.browser, agent.ui, { width: 1100, height: 520 });
    const sink = page.locator('.node[data-id="web/sink/post"]');
    const drains = 'web/channel/buf->web/sink/post';

    const first = sendSteadily(port, 20, 2);
    await expect.poll(async () => parseRate((await rateText(page, drains)) ?? '') ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    await first;
    expect(await sink.getAttribute('class')).not.toContain('failing');
    expect(server.bodies.length).toBeGreaterThan(0);

    await server.close();
    const stoppedAt = Date.now();
    const second = sendSteadily(port, 20, 3);
    await expect.poll(async () => (await sink.getAttribute('class')) ?? '', { timeout: 8_000 }).toContain('failing');
    expect(Date.now() - stoppedAt).toBeLessThan(8_000);
    await second;
    // The channel fills while nothing leaves it.
    await expect.poll(async () => page.locator('[data-id="web/channel/buf"] .fill-badge text').textContent(), { timeout: 5_000 }).not.toBe('0%');
    await page.screenshot({ path: join(screenshots, 'live-sink-failing.png') });

    await page.hover('[data-id="web/sink/post"]');
    const panel = page.locator('#panel');
    await expect.poll(() => panel.innerText(), { timeout: 5_000 }).toContain('ECONNREFUSED');
    const text = await panel.innerText();
    expect(text).toContain('failing');
    expect(text).toMatch(/last error, \d+ s ago/);
    expect(text).toContain(`cannot POST to http://127.0.0.1:${server.port}/ingest`);
    expect(text).toMatch(/EventWriteFail\s+[1-9]/);
    await page.screenshot({ path: join(screenshots, 'live-sink-failing-hover.png') });
    expect(await sameDrawing(page)).toBe(true);
    expect(errors).toEqual([]);

    // The events that arrived while the server was gone could not be delivered: the stop says so.
    agent.child.proc.kill('SIGTERM');
    expect(await agent.child.exited).toBe(1);
    expect(agent.child.stderr()).toMatch(/accepted event\(s\) were not delivered\n\s+agent `web`, channel `buf` \(memory\): \d+ event\(s\), lost/);
  }, 60_000);

  it('draws every agent, with the live rate on the link between them', async () => {
    const dir = work();
    const [lines, rpc] = [await freePort(), await freePort()];
    const flow = `agent edge on "127.0.0.1" {
  source lines : netcat { bind = "127.0.0.1", port = ${lines} }
  channel buf : memory { capacity = 10_000, transactionCapacity = 100 }
  sink up : avro { to = collector.rpc, batch-size = 100 }
  lines -> buf -> up
}

agent collector on "127.0.0.1" {
  source rpc : avro { bind = "127.0.0.1", port = ${rpc} }
  channel mem : memory { capacity = 10_000, transactionCapacity = 100 }
  sink drop : null
  rpc -> mem -> drop
}
`;
    const agent = await start(flow, dir, ['--ui-port', '0', '--monitor-port', '0']);
    const { page, outside, errors } = await open(chromium.browser, agent.ui, { width: 1400, height: 560 });
    await expect.poll(() => page.locator('#live-status').getAttribute('class'), { timeout: 10_000 }).toBe('live');
    expect(await page.locator('[data-agent="edge"]').count()).toBe(1);
    expect(await page.locator('[data-agent="collector"]').count()).toBe(1);

    const link = 'edge/sink/up->collector/source/rpc';
    const rate = async () => parseRate((await page.locator(`.edge-label[data-id="${link}"] text.rate`).textContent()) ?? '') ?? 0;
    const perSecond = 300;
    const sending = sendSteadily(lines, perSecond, 8);
    await expect.poll(rate, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await page.locator(`.edge[data-id="${link}"]`).getAttribute('class')).toContain('flowing');

    // The link's figure is the sending sink's EventDrainSuccessCount per second.
    await new Promise((r) => setTimeout(r, 1500));
    const drained = async () => ({ at: Date.now(), n: Number((await metricsOf(agent.monitor!))['SINK.edge.up']!.EventDrainSuccessCount) });
    const a = await drained();
    await new Promise((r) => setTimeout(r, 2000));
    const b = await drained();
    const fromMetrics = (b.n - a.n) / ((b.at - a.at) / 1000);
    expect(fromMetrics).toBeGreaterThan(perSecond * 0.6);
    expect(Math.abs((await rate()) - fromMetrics) / fromMetrics).toBeLessThan(0.25);
    const title = await page.locator(`.edge-label[data-id="${link}"] title`).textContent();
    expect(title).toMatch(/^EventDrainSuccessCount of sink up: \d+$/);
    await page.screenshot({ path: join(screenshots, 'live-tiers.png') });
    await sending;
    await expect.poll(async () => page.locator(`.edge-label[data-id="${link}"] text.rate`).textContent(), { timeout: 10_000 }).toBe('0 ev/s');

    agent.child.proc.kill('SIGTERM');
    expect(await agent.child.exited).toBe(0);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
  }, 90_000);
});
