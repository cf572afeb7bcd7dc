import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { coverageOverlay } from '../../reports/coverage.ts';
import { machineGraph } from '../../reports/graph.ts';
import { toKtap } from '../../reports/ktap.ts';
import { writeReport, type ReportOutput } from '../../reports/report.ts';
import { readResults, type Results } from '../../reports/results.ts';
import { toRuns } from '../../reports/runs.ts';
import { RULES } from '../../spec/rules.generated.ts';
import { miniPcm, parallelFixture } from './fixtures/machines.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const ring = () => readResults(fixture('results-ring.json'));
const kernel = () => readResults(fixture('results-kernel.json'));

let dir = '';
let out: ReportOutput;
const read = (p: string) => readFileSync(join(dir, p), 'utf8');

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'alsa-spec-report-'));
  // The fixtures name accel rules as rules the registry lacks: report with the PCM rules only.
  const pcmOnly = Object.fromEntries(Object.entries(RULES).filter(([id]) => !id.startsWith('accel.')));
  out = await writeReport([ring(), kernel()], dir, { machines: [miniPcm, parallelFixture], rules: pcmOnly });
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the report writes its pages, a page per rule, and the machine-readable files', () => {
  for (const f of ['index.html', 'rules.html', 'tests.html', 'failures.html', 'report.css', 'summary.json', 'junit.xml', 'results.ktap', 'diagrams/mini-pcm.html', 'diagrams/accel-mini.html']) {
    assert.ok(existsSync(join(dir, f)), f);
  }
  assert.ok(existsSync(join(dir, 'rules/pcm.start.ok.html')));
  // rules the spec does not define but a machine or run names get a page too
  assert.match(read('rules/accel.task-start.ok.html'), /not in the spec registry/);
  assert.equal(out.index, join(dir, 'index.html'));
});

test('every relative link in every page points at a file of the report', () => {
  for (const p of out.files.filter((f) => f.endsWith('.html'))) {
    const base = join(dir, p, '..');
    for (const m of read(p).matchAll(/(?:href|xlink:href)="([^"#]+)(#[^"]*)?"/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue;
      assert.ok(existsSync(join(base, target)), `${p} links to missing ${target}`);
    }
  }
});

test('a failure shows its reason, rules, replay line and step-by-step trace, the failing step marked', () => {
  const html = read('failures.html');
  const section = html.slice(html.indexOf('id="kernel-7.2.12--path-start"'));
  assert.match(section, /START answered EBADFD where the model expects 0/);
  assert.match(section, /<pre class="replay">alsa-spec replay --backend kernel --seed 42 --path &#39;HW_PARAMS,PREPARE,START&#39;<\/pre>/);
  assert.match(section, /<tr class="bad"><td>4<\/td><td><code>START fd=0<\/code><\/td><td>PREPARED → RUNNING<\/td>/);
  assert.match(section, /<code>\{&quot;elapsedUs&quot;:17\}<\/code>/);
  assert.match(html, /id="kernel-7.2.12--path-drain"[\s\S]*No trace recorded/);
  assert.match(html, /<h2 id="ring">ring: 0 failures<\/h2>/);
});

test('a rule page holds the spec text, the kernel citation, tests and edges with status per run', () => {
  const html = read('rules/pcm.start.ok.html');
  assert.match(html, /<title>pcm.start.ok: START in PREPARED runs the stream — alsa-spec<\/title>/);
  assert.match(html, /<dt>Kernel<\/dt><dd><code>sound\/core\/pcm_native.c<\/code> <code>snd_pcm_pre_start\(\)<\/code>/);
  assert.match(html, /<a href="..\/rules\/pcm.start.no-data.html"><code>pcm.start.no-data<\/code><\/a>/);
  assert.match(html, /<a href="..\/failures.html#kernel-7.2.12--path-start"><span class="st st-fail"/);
  assert.match(html, /<a href="..\/diagrams\/mini-pcm.html#e13">mini-pcm<\/a><\/td><td>PREPARED<\/td><td>START<\/td><td>RUNNING<\/td><td>ok<\/td><td><span class="st st-exercised"[^>]*>exercised<\/span> 5×<\/td><td><span class="st st-failed"[^>]*>failed<\/span> 3×/);
});

test('the diagram page inlines one overlay SVG per run, with unique ids and edges linked to the table', () => {
  const html = read('diagrams/mini-pcm.html');
  assert.equal(html.match(/<svg /g)?.length, 2);
  assert.doesNotMatch(html, /<\?xml|<!DOCTYPE svg/);
  assert.match(html, /<g id="run0_node1" class="node">/);
  assert.match(html, /<g id="run1_node1" class="node">/);
  assert.match(html, /xlink:href="#e13"/);
  assert.match(html, /<span id="e13">13<\/span>/);
  assert.match(html, /Coverage keys that name no edge of this machine \(1\): <code>RUNNING --BOGUS--&gt; NOWHERE<\/code>/);
  assert.match(read('diagrams/accel-mini.html'), /This run has no coverage for machine <code>accel-mini<\/code>/);
});

test('summary.json counts tests, rules and edges per run, and says whether all is well', () => {
  const s = JSON.parse(read('summary.json'));
  assert.equal(s.ok, false);
  assert.deepEqual(s.runs.map((r: { label: string }) => r.label), ['ring', 'kernel 7.2.12']);
  assert.deepEqual(s.runs[1].tests, { PASS: 5, FAIL: 1, UNSUPPORTED: 1, ERROR: 1, total: 8 });
  assert.deepEqual(s.runs[0].rules, { PASS: 9, FAIL: 0, UNCOVERED: 1, UNSUPPORTED: 0, total: 10 });
  assert.equal(s.runs[0].ok, false, 'an UNCOVERED rule fails the run');
  assert.deepEqual(s.runs[1].edges['mini-pcm'], { exercised: 6, failed: 2, unreached: 26, unsupported: 2, total: 36 });
  assert.deepEqual(s.runs[1].failures.map((f: { id: string }) => f.id), ['path/start', 'path/drain']);
  assert.deepEqual(s.rules['pcm.start.ok'], { ring: 'PASS', 'kernel 7.2.12': 'FAIL' });
  assert.deepEqual(s.rules['pcm.open.ok'], { ring: null, 'kernel 7.2.12': null });
});

test('JUnit XML is well-formed and parses back into suites, cases, failures, errors and skips', () => {
  const xml = read('junit.xml');
  assert.equal(XMLValidator.validate(xml), true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
  const suites = doc.testsuites.testsuite as Array<Record<string, unknown> & { testcase: Array<Record<string, unknown>> }>;
  assert.equal(doc.testsuites.tests, '16');
  assert.deepEqual(suites.map((s) => [s.name, s.tests, s.failures, s.errors, s.skipped]), [
    ['ring', '8', '0', '0', '0'],
    ['kernel 7.2.12', '8', '1', '1', '1'],
  ]);
  const cases = suites[1]!.testcase;
  const start = cases.find((c) => String(c.name).startsWith('path/start:'))!;
  const failure = start.failure as Record<string, string>;
  assert.equal(failure.message, 'START answered EBADFD where the model expects 0 (state RUNNING)');
  assert.match(failure['#text']!, /replay: alsa-spec replay --backend kernel/);
  assert.match(failure['#text']!, /4\. START fd=0 \[PREPARED → RUNNING\] expected \{"ret":0,"state":"RUNNING"\} actual \{"errno":"EBADFD","state":"PREPARED"\} ✗/);
  assert.ok(cases.find((c) => String(c.name).startsWith('path/drain:'))!.error);
  assert.equal((cases.find((c) => String(c.name).startsWith('path/pause-push:'))!.skipped as Record<string, string>).message, 'snd-dummy has no SNDRV_PCM_INFO_PAUSE');
});

test('JUnit escapes what XML cannot hold as is', async () => {
  const r: Results = { ...ring(), tests: [{ id: 'x<&>"', title: "it's \u0007 odd", rules: [], status: 'FAIL', reason: 'a\u0000b ]]> c' }] };
  const d = mkdtempSync(join(tmpdir(), 'alsa-spec-junit-'));
  try {
    await writeReport([r], d);
    const xml = readFileSync(join(d, 'junit.xml'), 'utf8');
    assert.equal(XMLValidator.validate(xml), true);
    assert.match(xml, /name="x&lt;&amp;&gt;&quot;: it&apos;s \uFFFD odd"/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('KTAP: a header, a plan, one subtest per run; not ok, SKIP and ERROR where they belong', () => {
  const lines = read('results.ktap').split('\n');
  assert.deepEqual(lines.slice(0, 4), ['KTAP version 1', '1..2', '    KTAP version 1', '    # Subtest: ring']);
  assert.ok(lines.includes('    1..8'));
  assert.ok(lines.includes('    ok 1 - path/open-setup'));
  assert.ok(lines.includes('    not ok 2 - path/start'));
  assert.ok(lines.includes('    ok 4 - path/pause-push # SKIP snd-dummy has no SNDRV_PCM_INFO_PAUSE'));
  assert.ok(lines.includes('    not ok 5 - path/drain # ERROR guest agent timed out after 10 s'));
  assert.ok(lines.includes('    # replay: alsa-spec replay --backend kernel --seed 42 --path \'HW_PARAMS,PREPARE,START\''));
  assert.ok(lines.includes('ok 1 - ring'));
  assert.ok(lines.includes('not ok 2 - kernel 7.2.12'));
  // the diagnostics of a failure come before its result line
  assert.ok(lines.indexOf('    # reason: START answered EBADFD where the model expects 0 (state RUNNING)') < lines.indexOf('    not ok 2 - path/start'));
  for (const l of lines.filter((x) => /^\s*(not )?ok /.test(x))) assert.match(l, /^\s*(ok|not ok) \d+ - [^#]+( # (SKIP|ERROR)( .*)?)?$/);
});

test('KTAP descriptions never carry a "#", which would start a directive', () => {
  const r: Results = { ...ring(), tests: [{ id: 'case #1', title: 't', rules: [], status: 'PASS' }] };
  assert.match(toKtap(toRuns([r])), /ok 1 - case No\.1\n/);
});

test('the overlay: taken edges exercised, failed rules and failing trace steps failed, UNSUPPORTED rules unsupported', () => {
  const g = machineGraph(miniPcm);
  const k = coverageOverlay(g, kernel());
  const status = (from: string, event: string, errno: string | null = null) => k.edges[g.edges.find((e) => e.source === from && e.event === event && e.errno === errno)!.index];
  assert.equal(status('OPEN', 'HW_PARAMS'), 'exercised');
  assert.equal(status('PREPARED', 'START'), 'failed');
  assert.equal(status('OPEN', 'START', 'EBADFD'), 'exercised');
  assert.equal(status('PAUSED', 'PAUSE'), 'unsupported');
  assert.equal(status('XRUN', 'PREPARE'), 'unreached');
  assert.equal(k.states.get('RUNNING'), 3);
  assert.deepEqual(k.unmatched, ['RUNNING --BOGUS--> NOWHERE']);

  // A failing trace step marks its edge failed even when the run's rule verdicts do not.
  const r = kernel();
  r.coverage.rules['pcm.start.ok'] = 'PASS';
  assert.equal(coverageOverlay(g, r).edges[g.edges.find((e) => e.source === 'PREPARED' && e.event === 'START')!.index], 'failed');
});

test('the overlay reads per-machine coverage sections and region-qualified state names', () => {
  const g = machineGraph(parallelFixture);
  const r: Results = {
    ...ring(),
    machine: undefined,
    coverage: {
      states: {},
      transitions: {},
      rules: {},
      machines: { 'accel-mini': { states: { IDLE: 2 }, transitions: { 'tasks.IDLE --START_TASK--> tasks.ACTIVE': 1, 'OPEN --SET_PARAMS--> SETUP': 2 } } },
    },
  };
  const o = coverageOverlay(g, r);
  assert.equal(o.covered, true);
  assert.equal(o.edges[g.edges.find((e) => e.event === 'START_TASK' && e.source === 'tasks.IDLE' && !e.errno)!.index], 'exercised');
  assert.equal(o.counts[g.edges.find((e) => e.event === 'SET_PARAMS' && !e.errno)!.index], 2);
  assert.equal(o.states.get('tasks.IDLE'), 2);
});

test('a full run over a PCM-sized machine: every edge is drawn with its status and every rule gets a page', async () => {
  const { fullRun } = await import('./fixtures/full-run.ts');
  const { pcmLike } = await import('./fixtures/pcm-like.ts');
  const d = mkdtempSync(join(tmpdir(), 'alsa-spec-full-'));
  try {
    const runs = [fullRun(pcmLike, 'ring', null), fullRun(pcmLike, 'kernel', '7.2.12', 17)];
    const r = await writeReport(runs, d, { machines: [pcmLike] });
    const edges = r.summary.runs.map((s) => s.edges['pcm-like']!);
    assert.deepEqual(edges.map((e) => e.total), [284, 284]);
    assert.equal(edges[0]!.exercised, 284);
    assert.ok(edges[1]!.failed > 0 && edges[1]!.failed + edges[1]!.exercised === 284);
    assert.equal(r.summary.runs[1]!.failures.length, 16);
    assert.ok(existsSync(join(d, 'rules', 'ring.boundary.64.html')));
    const html = readFileSync(join(d, 'diagrams', 'pcm-like.html'), 'utf8');
    assert.equal(html.match(/<tr><td><span id="e\d+">/g)?.length, 284);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("the runner's own step shape (model / backend / transitions / divergence) reads as a trace", async () => {
  const r = kernel();
  r.coverage.rules['pcm.start.ok'] = 'PASS';
  r.tests = [
    {
      id: 'seq/1',
      title: 'a random sequence agrees with the model',
      rules: ['pcm.start.ok'],
      status: 'FAIL',
      replay: 'alsa-spec replay --seed 9',
      trace: [
        { step: 1, command: 'HW_PARAMS fd=0', model: 'ok', backend: 'ok', transitions: ['OPEN --HW_PARAMS--> SETUP'] },
        { step: 2, command: 'START fd=0', model: 'ok', backend: 'EBADFD', transitions: ['PREPARED --START--> RUNNING'], divergence: 'errno: model 0, backend EBADFD' },
      ],
    },
  ];
  const g = machineGraph(miniPcm);
  const o = coverageOverlay(g, r);
  assert.equal(o.edges[g.edges.find((e) => e.source === 'PREPARED' && e.event === 'START' && !e.errno)!.index], 'failed');
  const d = mkdtempSync(join(tmpdir(), 'alsa-spec-steps-'));
  try {
    await writeReport([r], d);
    const html = readFileSync(join(d, 'failures.html'), 'utf8');
    assert.match(html, /<tr class="bad"><td>2<\/td><td><code>START fd=0<\/code><\/td><td>PREPARED --START--&gt; RUNNING<\/td><td>ok<\/td><td>EBADFD<\/td><td>✗<\/td><td><\/td><td><b>errno: model 0, backend EBADFD<\/b><\/td><\/tr>/);
    assert.match(readFileSync(join(d, 'results.ktap'), 'utf8'), /# 2\. START fd=0 \[PREPARED --START--> RUNNING\] expected ok actual EBADFD ✗ errno: model 0, backend EBADFD\n/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
