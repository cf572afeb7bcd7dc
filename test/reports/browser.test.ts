// The report in a real browser: headless Chromium (Debian's, driven by playwright-core) opens it
// from disk, the diagrams render, and the links between pages work. Screenshots are kept in
// $ALSA_SPEC_ARTIFACTS (out/artifacts by default) for CI.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { writeReport } from '../../reports/report.ts';
import { readResults } from '../../reports/results.ts';
import { FIXTURE_DIAGRAMS_DIR } from './fixtures/index.ts';
import { miniPcm, parallelFixture } from './fixtures/machines.ts';

const CHROMIUM = process.env.ALSA_SPEC_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = resolve(process.env.ALSA_SPEC_ARTIFACTS ?? 'out/artifacts');
// The project type-checks without the DOM library; these are the few browser APIs the checks call.
type WithStyle = { getComputedStyle(el: unknown): { backgroundColor: string } };
type SvgText = { getComputedTextLength(): number };
type Anchor = { href: string };
type Mermaid = { initialize(o: object): void; parse(t: string): Promise<unknown>; render(id: string, t: string): Promise<{ svg: string }> };

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

/** Everything the page reports as broken: script errors, console errors, failed loads. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('requestfailed', (r) => problems.push(`failed to load ${r.url()}: ${r.failure()?.errorText}`));
  return problems;
}

test('the report opens from disk in Chromium: diagrams render and the links between pages work', { timeout: 120_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`no Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) to run the browser test`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'alsa-spec-browser-'));
  const profile = mkdtempSync(join(tmpdir(), 'alsa-spec-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ARGS,
  });
  try {
    await writeReport([readResults(fixture('results-ring.json')), readResults(fixture('results-kernel.json'))], dir, { machines: [miniPcm, parallelFixture] });
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    page.setDefaultTimeout(10_000);
    const problems = watch(page);
    const index = pathToFileURL(join(dir, 'index.html')).href;

    await page.goto(index);
    assert.equal(await page.title(), 'Conformance report — alsa-spec');
    assert.equal(await page.locator('.card').count(), 2);
    // The stylesheet applied: the header is dark.
    assert.equal(await page.locator('header').evaluate((h) => (globalThis as unknown as WithStyle).getComputedStyle(h).backgroundColor), 'rgb(38, 50, 56)');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report-index.png'), fullPage: true });

    // Summary → diagram page: one rendered overlay per run.
    await page.click('header a:text("Diagram: mini-pcm")');
    assert.match(page.url(), /\/diagrams\/mini-pcm\.html$/);
    const svgs = page.locator('.diagram svg');
    assert.equal(await svgs.count(), 2);
    for (let i = 0; i < 2; i++) {
      const svg = svgs.nth(i);
      const box = await svg.boundingBox();
      assert.ok(box && box.width > 300 && box.height > 100, `svg ${i} has a size: ${JSON.stringify(box)}`);
      assert.equal(await svg.locator('g.node').count(), 9, 'seven states, the start point and the "from …" note');
      // Text is laid out, not just present: a state name has a width.
      const width = await svg.locator('g.node text', { hasText: 'RUNNING' }).first().evaluate((el) => (el as unknown as SvgText).getComputedTextLength());
      assert.ok(width > 10, `text width ${width}`);
    }
    const failedEdges = await svgs.nth(1).locator('g.edge path[stroke="#c62828"]').count();
    assert.ok(failedEdges >= 2, 'the kernel run shows its failed edges in red');
    await page.screenshot({ path: join(ARTIFACTS, 'report-diagram.png'), fullPage: true });

    // An edge's label in the SVG links to its row in the edge table.
    await svgs.nth(1).locator('a[*|href="#e13"]:has(text)').click();
    assert.match(page.url(), /#e13$/);
    assert.equal(await page.locator('tr:has(#e13) td').nth(2).textContent(), 'START');

    // Edge table → rule page → failure, following links as a person would.
    await page.locator('tr:has(#e13) a:has-text("pcm.start.ok")').click();
    assert.match(page.url(), /\/rules\/pcm\.start\.ok\.html$/);
    assert.equal(await page.locator('h1').textContent(), 'pcm.start.ok: START in PREPARED runs the stream');
    await page.locator('a[href="../failures.html#kernel-7.2.12--path-start"]').click();
    assert.match(page.url(), /\/failures\.html#kernel-7\.2\.12--path-start$/);
    const failure = page.locator('section:target');
    assert.equal(await failure.locator('pre.replay').textContent(), "alsa-spec replay --backend kernel --seed 42 --path 'HW_PARAMS,PREPARE,START'");
    assert.equal(await failure.locator('tr.bad').count(), 1);
    assert.ok(await failure.isVisible());

    // Every page of the report loads, and each link on it points at something that loads.
    const pages = ['index.html', 'rules.html', 'tests.html', 'failures.html', 'diagrams/accel-mini.html', 'rules/pcm.drain.playback.html'];
    for (const p of pages) {
      await page.goto(pathToFileURL(join(dir, p)).href);
      const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => (a as unknown as Anchor).href));
      for (const href of new Set(hrefs.map((h) => h.split('#')[0]!))) {
        assert.ok(existsSync(new URL(href)), `${p}: link to ${href}`);
      }
    }
    assert.deepEqual(problems, []);
    t.diagnostic(`screenshots: ${join(ARTIFACTS, 'report-index.png')}, ${join(ARTIFACTS, 'report-diagram.png')}`);
  } finally {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
});

test('Mermaid itself parses and renders every checked-in .mmd file', { timeout: 60_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`no Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) to run the browser test`);
    return;
  }
  const bundle = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
  const profile = mkdtempSync(join(tmpdir(), 'alsa-spec-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    const problems = watch(page);
    await page.setContent('<!DOCTYPE html><html><body></body></html>');
    await page.addScriptTag({ path: bundle });
    const dir = resolve(FIXTURE_DIAGRAMS_DIR);
    const files = readdirSync(dir).filter((d) => !d.endsWith('.md')).map((d) => join(dir, d, `${d}.mmd`));
    assert.ok(files.length >= 4);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const r: { svg?: string; error?: string } = await page.evaluate(async (src) => {
        const mermaid = (globalThis as unknown as { mermaid: Mermaid }).mermaid;
        mermaid.initialize({ startOnLoad: false });
        try {
          await mermaid.parse(src);
          return { svg: (await mermaid.render('m', src)).svg };
        } catch (e) {
          return { error: String((e as Error).message ?? e) };
        }
      }, text);
      assert.ok(r.svg !== undefined && /<svg[\s\S]*<\/svg>/.test(r.svg), `${f}: ${r.error ?? 'no svg'}`);
    }
    assert.deepEqual(problems, []);
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
