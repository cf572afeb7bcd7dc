import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { createMachine } from 'xstate';
import { checkDiagrams, describeCheck, diagramFiles, renderDiagrams } from '../../reports/diagrams.ts';
import { machineDot } from '../../reports/dot.ts';
import { machineGraph } from '../../reports/graph.ts';
import { toMermaid } from '../../reports/mermaid.ts';
import { renderSvg } from '../../reports/svg.ts';
import { toMarkdownTable } from '../../reports/table.ts';
import { FIXTURE_MACHINES } from './fixtures/index.ts';
import { miniPcm, nestedFixture, parallelFixture } from './fixtures/machines.ts';

test('the full DOT draws state changes as arrows and lists stays and refusals inside the state', () => {
  const dot = machineDot(machineGraph(miniPcm), { view: 'full' });
  assert.match(dot, /^digraph "mini-pcm" \{/);
  assert.match(dot, /"__start" -> "OPEN";/);
  assert.match(dot, /"PREPARED" -> "RUNNING" \[label="START"/);
  // labels name events; guards are in the tooltip (and the table)
  assert.match(dot, /"RUNNING" -> "DRAINING" \[label="DRAIN", tooltip="RUNNING: DRAIN \[isPlayback\]: pcm.drain.playback"/);
  // refusals are not arrows but rows of the state's table, grouped by errno
  assert.doesNotMatch(dot, /"OPEN" -> "OPEN"/);
  assert.match(dot, /<i>EBADFD:<\/i>&#160;PREPARE, START, DROP, DRAIN/);
  assert.match(dot, /<i>stays:<\/i>&#160;HW_PARAMS, DROP, STATUS/);
  // DROP into SETUP from five states is one arrow from a note; RUNNING's DRAIN keeps its own
  assert.match(dot, /"__from_1" \[shape="note".*label="from PREPARED, RUNNING, PAUSED,\\nDRAINING, XRUN"/);
  assert.match(dot, /"__from_1" -> "SETUP" \[label="DROP"/);
  assert.match(dot, /"RUNNING" -> "SETUP" \[label="DRAIN"/);
  assert.match(dot, /\{ rank=min; "__start"; \}/);
  // arrows back to an earlier state do not rank their head after their tail
  assert.match(dot, /"SETUP" -> "OPEN" \[label="HW_FREE".*constraint="false"/);
  assert.doesNotMatch(dot, /"OPEN" -> "SETUP" [^\n]*constraint/);
});

test('the overview DOT has no state tables', () => {
  const dot = machineDot(machineGraph(miniPcm), { view: 'overview' });
  assert.doesNotMatch(dot, /EBADFD/);
  assert.match(dot, /"OPEN" \[label="OPEN"/);
});

test('a parallel machine is drawn as one dashed cluster per region, each with its initial marker', () => {
  const dot = machineDot(machineGraph(parallelFixture));
  assert.match(dot, /subgraph "cluster_stream" \{\n\s+graph \[label="stream", style="dashed,rounded"/);
  assert.match(dot, /subgraph "cluster_tasks"/);
  assert.match(dot, /"__start_stream" -> "stream.OPEN"/);
  assert.match(dot, /"__start_tasks" -> "tasks.IDLE"/);
  assert.match(dot, /"tasks.IDLE" -> "tasks.ACTIVE" \[label="START_TASK", tooltip="tasks.IDLE: START_TASK \[isSetUp\]: accel.task-start.ok"/);
});

test('nested states: edges from and to a compound state attach to its cluster', () => {
  const dot = machineDot(machineGraph(nestedFixture));
  assert.match(dot, /"idle" -> "active.slow" \[label="GO", tooltip="idle: GO \[ready && !linked\]: fixture.go.ok", lhead="cluster_active"/);
  assert.match(dot, /-> "gone" \[label="UNPLUG".*ltail="cluster_active"/);
  assert.match(dot, /"gone" \[.*peripheries=2/);
  // the machine's own transitions start from one note that also lists its stays
  assert.match(dot, /"__any" \[shape="note".*<b>in every state<\/b>.*stays:<\/i>&#160;PING/);
  assert.match(dot, /"__any" -> "idle" \[label="RESET", tooltip="\(every state\): RESET: fixture.reset.ok"/);
  assert.match(toMermaid(machineGraph(nestedFixture)), /\n  state "every state" as __any\n  __any : stays on PING\n[\s\S]*\n  __any --> idle : RESET\n/);
});

test('every DOT renders to well-formed SVG, the same bytes every time', async () => {
  for (const m of FIXTURE_MACHINES) {
    for (const view of ['full', 'overview'] as const) {
      const dot = machineDot(machineGraph(m), { view });
      const svg = await renderSvg(dot);
      assert.equal(XMLValidator.validate(svg), true, `${m.id} ${view}`);
      assert.match(svg, /<svg width="\d+pt" height="\d+pt"/);
      assert.equal(await renderSvg(machineDot(machineGraph(m), { view })), svg);
    }
  }
});

test('Mermaid: composite regions with concurrency separators, and arrows inside their scope', () => {
  const flat = toMermaid(machineGraph(miniPcm));
  assert.match(flat, /^stateDiagram-v2\n  direction LR\n  \[\*\] --> OPEN\n/);
  assert.match(flat, /\n  OPEN : EBADFD for PREPARE, START, DROP, DRAIN\n/);
  assert.match(flat, /\n  RUNNING --> SETUP : DRAIN, DROP\n/);
  const par = toMermaid(machineGraph(parallelFixture));
  assert.match(par, /state "accel-mini" as machine_accel_mini \{\n    state "stream" as stream\n    state stream \{\n      \[\*\] --> stream_OPEN/);
  assert.match(par, /\n    --\n    state "tasks" as tasks\n/);
  assert.match(par, /\n      tasks_IDLE --> tasks_ACTIVE : START_TASK\n/);
  const nested = toMermaid(machineGraph(nestedFixture));
  assert.match(nested, /state active \{\n    \[\*\] --> active_slow\n[^}]*    active_slow --> active_fast : GO\n  \}/);
  assert.match(nested, /\n  gone --> \[\*\]\n/);
});

test('the Markdown table has a row per edge, in priority order, pipes escaped', () => {
  const md = toMarkdownTable(machineGraph(nestedFixture));
  assert.match(md, /^# nested: transitions\n/);
  assert.match(md, /\| idle \| GO \| `ready && !linked` \| active \| ok \| `fixture.go.ok` \|/);
  assert.match(md, /\| active\.fast \| GO \| — \| \(stays\) \| EBUSY \| `fixture.go.busy` \|/);
  const rows = toMarkdownTable(machineGraph(miniPcm)).split('\n').filter((l) => /^\| [A-Z]/.test(l) && !l.startsWith('| From'));
  assert.equal(rows.length, machineGraph(miniPcm).edges.length);
  const hw = rows.filter((r) => r.startsWith('| SETUP | HW_FREE'));
  assert.deepEqual(hw.map((r) => r.split(' | ')[2]), ['`isMmapped`', '—']);
});

test('the diagram set names one directory per machine and an index', async () => {
  const files = await diagramFiles(FIXTURE_MACHINES);
  assert.deepEqual([...files.keys()].filter((p) => p.startsWith('accel-mini/')), [
    'accel-mini/accel-mini.dot',
    'accel-mini/accel-mini.svg',
    'accel-mini/accel-mini-overview.dot',
    'accel-mini/accel-mini-overview.svg',
    'accel-mini/accel-mini.mmd',
    'accel-mini/accel-mini.md',
    'accel-mini/rv/accel_mini_stream.dot',
    'accel-mini/rv/accel_mini_tasks.dot',
  ]);
  assert.match(files.get('README.md')!, /\| `mini-pcm` \| 7 \| 36 \(16 change state\) \|/);
  for (const [p, content] of files) assert.doesNotMatch(content, /\d{4}-\d\d-\d\dT\d\d:/, `${p} has no timestamp`);
});

test('the stale check finds missing, changed and left-over files, and names the fixing command', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alsa-spec-diagrams-'));
  try {
    assert.deepEqual((await checkDiagrams([miniPcm], dir)).missing.length, 8);
    await renderDiagrams([miniPcm], dir);
    assert.equal((await checkDiagrams([miniPcm], dir)).ok, true);
    writeFileSync(join(dir, 'mini-pcm/mini-pcm.md'), readFileSync(join(dir, 'mini-pcm/mini-pcm.md'), 'utf8').replace('XRUN', 'XRUNS'));
    writeFileSync(join(dir, 'mini-pcm/old.dot'), 'digraph {}');
    rmSync(join(dir, 'mini-pcm/mini-pcm.svg'));
    const c = await checkDiagrams([miniPcm], dir);
    assert.deepEqual([c.ok, c.missing, c.stale, c.extra], [false, ['mini-pcm/mini-pcm.svg'], ['mini-pcm/mini-pcm.md'], ['mini-pcm/old.dot']]);
    assert.match(describeCheck(c, dir), /Regenerate with `alsa-spec diagrams --out .*`\.$/);
    // Writing again repairs the set and removes what the machine no longer generates.
    const r = await renderDiagrams([miniPcm], dir);
    assert.deepEqual(r.removed, ['mini-pcm/old.dot']);
    assert.equal((await checkDiagrams([miniPcm], dir)).ok, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two machines with one id are refused', async () => {
  await assert.rejects(diagramFiles([miniPcm, miniPcm]), /two machines share the id/);
});

test('arrow labels group the events that end with an errno, and cut long lists short', () => {
  const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`EV${i}`, { target: 'C', meta: { rules: ['x.ev.ok'] } }]));
  const m = createMachine({
    id: 'labels',
    initial: 'A',
    states: {
      A: {
        on: {
          WRITE: { target: 'B', meta: { rules: ['x.write.ok'], errno: null } },
          READ: { target: 'B', meta: { rules: ['x.read.xrun'], errno: 'EPIPE' } },
          DELAY: { target: 'B', meta: { rules: ['x.delay.xrun'], errno: 'EPIPE' } },
          ...many,
        },
      },
      B: {},
      C: {},
    },
  });
  const dot = machineDot(machineGraph(m));
  assert.match(dot, /"A" -> "B" \[label="WRITE", tooltip="A: WRITE: x.write.ok"\];/);
  assert.match(dot, /"A" -> "B" \[label="EPIPE: READ, DELAY", tooltip="A: READ \(EPIPE\): x.read.xrun\\nA: DELAY \(EPIPE\): x.delay.xrun", style="dashed"/);
  assert.match(dot, /"A" -> "C" \[label="EV0, EV1, EV2, EV3, EV4, EV5\\nEV6, EV7, … 4 more", tooltip="A: EV0: x.ev.ok\\n/);
});
