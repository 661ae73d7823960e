// The extension in a real VS Code: code-server with the packaged .vsix installed, driven by
// Debian's chromium. Opens an example and checks what a user sees: highlighting, a diagnostic
// for a seeded error, completion of a property inside a sink block, and the graph preview.
// Screenshots go to test-output/e2e.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { startCodeServer, type CodeServer } from './code-server.js';

const shots = resolve('test-output/e2e');
const vsix = resolve('vscode-extension/flowc.vsix');
let server: CodeServer;
let browser: Browser;
let page: Page;
let workspace: string;

const SLOW = 120_000;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

async function runCommand(title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: SLOW });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ timeout: SLOW });
  await row.click();
}

/** Opens a file of the workspace from the explorer, and puts the cursor in its editor. */
async function openFile(name: string): Promise<void> {
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().dblclick();
  await page.locator(`.tab.active[data-resource-name="${name}"]`).waitFor({ timeout: SLOW });
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().waitFor({ timeout: SLOW });
  // Monaco reads keys through its hidden text area.
  await page.locator('.editor-group-container.active .monaco-editor textarea').first().focus();
}

async function goToLine(line: number): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: SLOW });
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: SLOW });
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  workspace = mkdtempSync(join(tmpdir(), 'flowc-e2e-workspace-'));
  copyFileSync('examples/tiered.flow', join(workspace, 'tiered.flow'));
  // Edited by the completion test, so that the others see the example as it is.
  copyFileSync('examples/tiered.flow', join(workspace, 'typing.flow'));
  // A seeded error: a channel kind that does not exist.
  writeFileSync(join(workspace, 'broken.flow'), readFileSync('examples/quickstart.flow', 'utf8').replace(/: memory/, ': memroy'));
  server = await startCodeServer({
    vsix,
    workspace,
    settings: {
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'security.workspace.trust.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'update.mode': 'none',
      'workbench.enableExperiments': false,
      'editor.quickSuggestions': { other: false, comments: false, strings: false },
      'chat.disableAIFeatures': true,
      'workbench.colorTheme': 'Default Light Modern',
    },
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: SLOW });
  await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: SLOW });
}, 600_000);

afterAll(async () => {
  await page?.screenshot({ path: join(shots, 'last.png') }).catch(() => undefined);
  await browser?.close();
  await server?.stop();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

describe('the flowc extension in code-server', () => {
  it('highlights an example with the source.flow grammar', async () => {
    await openFile('tiered.flow');
    const line = page.locator('.view-line', { hasText: 'agent edge on' }).first();
    await line.waitFor({ timeout: SLOW });
    // Tokenized: the keyword, the agent's name and the host string get different token classes.
    await expect
      .poll(async () => new Set(await line.locator('span > span').evaluateAll((spans) => spans.map((s) => s.className))).size, { timeout: SLOW, interval: 500 })
      .toBeGreaterThanOrEqual(3);
    const agent = line.locator('span > span', { hasText: /^agent$/ });
    const host = line.locator('span > span', { hasText: '"edge-1.example.com"' });
    expect(await agent.getAttribute('class')).not.toBe(await host.getAttribute('class'));
    await shot('1-highlighting');
  });

  it('shows a diagnostic for a seeded error', async () => {
    await openFile('broken.flow');
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: SLOW });
    await page.keyboard.press('Control+Shift+M');
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'unknown channel kind `memroy`' });
    await problem.first().waitFor({ timeout: SLOW });
    expect(await page.locator('.markers-panel').innerText()).toContain('FLOW020');
    await shot('2-diagnostic');
    await page.keyboard.press('Control+Shift+M');
  });

  it('completes a property inside a sink block', async () => {
    await openFile('typing.flow');
    const lines = readFileSync('examples/tiered.flow', 'utf8').split('\n');
    const inSink = lines.findIndex((l) => l.includes('hdfs.filePrefix = "collector1-b"')) + 1;
    await goToLine(inSink);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.locator('.editor-group-container.active .monaco-editor .current-line').first().waitFor({ timeout: SLOW });
    await page.keyboard.type('hdfs.idle', { delay: 50 });
    await page.keyboard.press('Control+Space');
    await page.locator('.suggest-widget.visible').waitFor({ timeout: SLOW }).catch(() => undefined);
    await shot('3a-suggest');
    const item = page.locator('.suggest-widget .monaco-list-row', { hasText: 'hdfs.idleTimeout' });
    await item.first().waitFor({ timeout: SLOW });
    await shot('3-completion');
    await page.keyboard.press('Escape');
  });

  it('opens the graph preview, shows a node of the flow, and reveals its declaration on a click', async () => {
    await openFile('tiered.flow');
    await runCommand('Flow: Show Graph Preview');
    const mem = '#stage svg .node[data-id="collector/channel/mem"]';
    const frameWithNode = async (): Promise<Frame | undefined> => {
      for (const frame of page.frames()) {
        if (await hasNode(frame, mem)) return frame;
      }
      return undefined;
    };
    await expect.poll(async () => (await frameWithNode()) !== undefined, { timeout: SLOW, interval: 1000 }).toBe(true);
    await shot('4-graph-preview');

    const lines = readFileSync('examples/tiered.flow', 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('channel mem : memory')) + 1;
    const col = lines[line - 1]!.indexOf('mem') + 1;
    await (await frameWithNode())!.locator(mem).click();
    await expect.poll(() => page.locator('.statusbar').innerText(), { timeout: SLOW, interval: 500 }).toContain(`Ln ${line}, Col ${col}`);
    await shot('5-revealed');
  });
});

async function hasNode(frame: Frame, selector: string): Promise<boolean> {
  try {
    return (await frame.locator(selector).count()) > 0;
  } catch {
    return false;
  }
}
