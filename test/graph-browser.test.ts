// The html output in a real browser: Debian's chromium driven by playwright-core. It must show
// every component of the model as a node, show a component's properties on hover (secrets
// masked), pan and zoom, and load nothing from anywhere. Screenshots land in
// test-output/screenshots/ for a human to look at.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { screenshots, useChromium, watchedPage, type WatchedPage } from './helpers/browser.js';
import { describe, expect, it } from 'vitest';
import { buildGraph, type FlowGraph } from '../compiler/graph/model.js';
import { renderHtml } from '../compiler/graph/render-html.js';
import { renderGraph } from '../compiler/graph/index.js';
import { compileText } from '../compiler/program.js';

const pages = 'test-output/graph';

function graphOf(path: string, text = readFileSync(path, 'utf8')): FlowGraph {
  const result = compileText(text, path);
  expect(result.errorCount).toBe(0);
  return buildGraph(result.program);
}

async function open(browser: Browser, name: string, graph: FlowGraph): Promise<WatchedPage> {
  mkdirSync(pages, { recursive: true });
  const file = resolve(join(pages, `${name}.html`));
  writeFileSync(file, await renderHtml(graph));
  const opened = await watchedPage(browser, 'file:', { width: 1400, height: 800 });
  await opened.page.goto(pathToFileURL(file).href);
  return opened;
}

const viewBox = (page: Page) => page.locator('#stage > svg').getAttribute('viewBox');

describe('graph html in chromium', () => {
  const chromium = useChromium();

  it('shows every component of the tiered example as a node, and its properties on hover', async () => {
    const graph = graphOf('examples/tiered.flow');
    const { page, outside, errors } = await open(chromium.browser, 'tiered', graph);
    await page.screenshot({ path: join(screenshots, 'tiered.png') });

    const drawn = await page.locator('#stage .node[data-id], #stage .cluster.group[data-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    expect(drawn.sort()).toEqual(graph.nodes.map((n) => n.id).sort());
    expect(await page.locator('#stage .cluster.agent').count()).toBe(graph.agents.length);
    expect(await page.locator('#stage .edge').count()).toBe(graph.edges.length);

    const panel = page.locator('#panel');
    await expect.poll(() => panel.isHidden(), { timeout: 10_000 }).toBe(true);
    await page.hover('[data-id="edge/source/app"]');
    await expect.poll(() => panel.isVisible(), { timeout: 10_000 }).toBe(true);
    const text = await panel.innerText();
    expect(text).toContain('app');
    expect(text).toContain('source · taildir');
    expect(text).toContain('positionFile');
    expect(text).toContain('/var/lib/flume/taildir_position.json');
    expect(text).toMatch(/\| host\s+useIP\s+false/);
    expect(text).toContain('examples/tiered.flow:6:10');
    await page.screenshot({ path: join(screenshots, 'tiered-hover-source.png') });

    await page.hover('[data-id="edge/sink/to_backup"]');
    const sink = await panel.innerText();
    expect(sink).toContain('to_backup');
    expect(sink).toMatch(/priority\s+5/);
    expect(sink).toMatch(/sends to\s+collector-2\.example\.com:4545/);
    expect(sink).toMatch(/compression-type\s+deflate/);

    // On the right half of the window, the panel moves to the left so as not to cover the node.
    await page.hover('[data-id="collector/channel/mem"]');
    expect(await panel.getAttribute('class')).toContain('left');
    expect(await panel.innerText()).toContain('channel · memory (memory)');
    await page.screenshot({ path: join(screenshots, 'tiered-hover-channel.png') });

    await page.mouse.move(5, 790);
    await expect.poll(() => panel.isHidden(), { timeout: 10_000 }).toBe(true);

    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('zooms with the wheel, pans by dragging, and fits again', async () => {
    const { page } = await open(chromium.browser, 'tiered-zoom', graphOf('examples/tiered.flow'));
    const start = await viewBox(page);
    await page.mouse.move(700, 300);
    await page.mouse.wheel(0, -600);
    await expect.poll(() => viewBox(page), { timeout: 10_000 }).not.toBe(start);
    const zoomed = (await viewBox(page))!.split(' ').map(Number);
    expect(zoomed[2]).toBeLessThan(Number(start!.split(' ')[2]));
    await page.screenshot({ path: join(screenshots, 'tiered-zoomed.png') });

    await page.mouse.move(700, 300);
    await page.mouse.down();
    await page.mouse.move(500, 250, { steps: 5 });
    await page.mouse.up();
    const panned = (await viewBox(page))!.split(' ').map(Number);
    expect(panned[0]).toBeGreaterThan(zoomed[0]!);
    expect(panned[2]).toBe(zoomed[2]);

    await page.click('#fit');
    expect(await viewBox(page)).toBe(start);
    await page.close();
  }, 60_000);

  it('masks secrets in the panel and everywhere in the page', async () => {
    const flow = `
agent a on "a.example.com" {
  source rpc : avro { bind = "0.0.0.0", port = 4545, ssl = true, keystore = "/etc/ks.jks", keystore-password = "ks-S3CRET-1" }
  channel c : memory
  sink k : avro { hostname = "b.example.com", port = 4545, truststore-password = "ks-S3CRET-2" }
  rpc -> c -> k
}`;
    const { page } = await open(chromium.browser, 'secrets', graphOf('secrets.flow', flow));
    expect(await page.content()).not.toContain('S3CRET');
    await page.hover('[data-id="a/source/rpc"]');
    const text = await page.locator('#panel').innerText();
    expect(text).toMatch(/keystore-password\s+\*{6}/);
    expect(text).toContain('/etc/ks.jks');
    await page.screenshot({ path: join(screenshots, 'secrets-hover.png') });
    await page.close();
  }, 60_000);

  it('draws the same picture in a PNG as chromium draws from the svg, labels included, at twice the size', async () => {
    const graph = graphOf('examples/tiered.flow');
    const [svg, png] = [await renderGraph(graph, 'svg'), await renderGraph(graph, 'png')];
    mkdirSync(pages, { recursive: true });
    writeFileSync(join(pages, 'tiered.png'), png);
    const page = await chromium.browser.newPage();
    const compared = await page.evaluate(
      async ({ svg, png }) => {
        const load = async (src: string) => {
          const img = new Image();
          img.src = src;
          await img.decode();
          return img;
        };
        const fromPng = await load(`data:image/png;base64,${png}`);
        const fromSvg = await load(`data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(svg)))}`);
        const [w, h] = [fromPng.naturalWidth, fromPng.naturalHeight];
        const pixels = (img: HTMLImageElement) => {
          const canvas = document.createElement('canvas');
          [canvas.width, canvas.height] = [w, h];
          const ctx = canvas.getContext('2d')!;
          ctx.drawImage(img, 0, 0, w, h);
          return ctx.getImageData(0, 0, w, h).data;
        };
        const [a, b] = [pixels(fromPng), pixels(fromSvg)];
        let same = 0;
        let dark = 0;
        let tinted = 0;
        for (let i = 0; i < a.length; i += 4) {
          if (Math.abs(a[i]! - b[i]!) <= 24 && Math.abs(a[i + 1]! - b[i + 1]!) <= 24 && Math.abs(a[i + 2]! - b[i + 2]!) <= 24) same++;
          if (a[i]! < 100 && a[i + 1]! < 100 && a[i + 2]! < 100) dark++;
          if (a[i]! !== 255 || a[i + 1]! !== 255 || a[i + 2]! !== 255) tinted++;
        }
        const n = a.length / 4;
        return { w, h, svgW: fromSvg.naturalWidth, svgH: fromSvg.naturalHeight, same: same / n, dark: dark / n, tinted: tinted / n };
      },
      { svg, png: png.toString('base64') },
    );
    await page.close();
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect([compared.w, compared.h]).toEqual([compared.svgW * 2, compared.svgH * 2]);
    // Fonts may differ between chromium and resvg; boxes, fills, edges and the place of every label do not.
    expect(compared.same).toBeGreaterThan(0.95);
    expect(compared.tinted).toBeGreaterThan(0.2);
    // Dark pixels are the labels: a PNG drawn without a font has none.
    expect(compared.dark).toBeGreaterThan(0.002);
  }, 60_000);
});
