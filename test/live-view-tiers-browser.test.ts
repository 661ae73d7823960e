// `flowc run --ui` of a topology in chromium: both agents drawn, and the link between them
// carrying the live rate of the sending avro sink, in line with its counter at /metrics.
// Screenshot: test-output/screenshots/live-tiers.png.
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshots } from './helpers/browser.js';
import { metricsOf, parseRate, runAgent, sendSteadily } from './helpers/live.js';
import { freePort, scratch } from './runtime/helpers.js';

const { children, cleanup, work } = scratch();

describe('flowc run --ui of a topology in chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

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
    const agent = await runAgent(dir, flow, ['--ui-port', '0', '--monitor-port', '0']);
    children.push(agent.child);
    const page = await browser.newPage({ viewport: { width: 1400, height: 560 } });
    cleanup.push(() => page.close());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(agent.ui);
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
  }, 90_000);
});
