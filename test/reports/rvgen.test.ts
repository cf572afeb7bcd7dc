// The rvgen dialect: the files follow the kernel's layout, and the kernel's own rvgen reads them
// as the automata we meant and generates a monitor from each.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { createMachine } from 'xstate';
import { machineGraph } from '../../reports/graph.ts';
import { cIdent, toRvgen, type RvAutomaton } from '../../reports/rvgen.ts';
import { FIXTURE_MACHINES } from './fixtures/index.ts';
import { miniPcm, nestedFixture, parallelFixture } from './fixtures/machines.ts';

const cache = process.env.ALSA_SPEC_CACHE ?? join(homedir(), '.cache', 'alsa-spec');
const RVGEN = join(cache, 'kernel-source', 'linux-7.2', 'tools', 'verification', 'rvgen');
const DRIVER = fileURLToPath(new URL('./rvgen_monitor.py', import.meta.url));

/** The automaton as the file states it: state → event → next state. */
function ownReading(a: RvAutomaton): Record<string, Record<string, string>> {
  const f: Record<string, Record<string, string>> = {};
  for (const m of a.dot.matchAll(/^\t"([a-z0-9_]+)" -> "([a-z0-9_]+)" \[ label = "([^"]+)" \];$/gm)) {
    for (const ev of m[3]!.split('\\n')) (f[m[1]!] ??= {})[ev] = m[2]!;
  }
  return f;
}

/** A Python that can run rvgen: 3.12 or later generates monitors, older ones only parse. */
function findPython(): { bin: string; version: string; generates: boolean } | null {
  const pyenv = process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
  const fromPyenv = existsSync(join(pyenv, 'versions'))
    ? readdirSync(join(pyenv, 'versions'))
        .filter((v) => /^3\.\d+/.test(v))
        .sort((a, b) => b.localeCompare(a, undefined, { numeric: true }))
        .map((v) => join(pyenv, 'versions', v, 'bin', 'python3'))
    : [];
  const candidates = [process.env.ALSA_SPEC_PYTHON, 'python3.13', 'python3.12', ...fromPyenv, 'python3'].filter((c): c is string => !!c);
  let fallback: { bin: string; version: string; generates: boolean } | null = null;
  for (const bin of candidates) {
    const r = spawnSync(bin, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
    if (r.status !== 0) continue;
    const version = r.stdout.trim();
    const [maj, min] = version.split('.').map(Number);
    if (maj === 3 && min! >= 12) return { bin, version, generates: true };
    fallback ??= { bin, version, generates: false };
  }
  return fallback;
}

test('rvgen files follow the kernel layout: __init_ node, node lines, then edges with event lists', () => {
  const [a] = toRvgen(machineGraph(miniPcm));
  const lines = a!.dot.split('\n');
  assert.equal(lines[0], 'digraph state_automaton {');
  const nodeLines = lines.filter((l) => l.startsWith('\t{node'));
  assert.equal(nodeLines[0], '\t{node [shape = plaintext, style=invis, label=""] "__init_open"};');
  assert.equal(nodeLines[1], '\t{node [shape = doublecircle] "open"};');
  const afterNodes = lines.findIndex((l, i) => i > 0 && lines[i - 1]!.startsWith('\t{node') && !l.startsWith('\t{node'));
  assert.equal(lines[afterNodes], '\t"__init_open" -> "open";');
  assert.ok(lines.includes('\t"running" -> "setup" [ label = "drain\\ndrop" ];'));
});

test('rvgen automata stay deterministic: guard alternatives become events named after the guard', () => {
  const f = ownReading(toRvgen(machineGraph(miniPcm))[0]!);
  assert.equal(f.running!.pause_is_push, 'paused');
  assert.equal(f.running!.pause, 'running');
  assert.equal(f.running!.drain_is_playback, 'draining');
  assert.equal(f.running!.drain, 'setup');
  assert.equal(f.setup!.hw_free_is_mmapped, 'setup');
  assert.equal(f.setup!.hw_free, 'open');
});

test('a parallel machine gives one automaton per region; nested states are flattened to leaves', () => {
  assert.deepEqual(toRvgen(machineGraph(parallelFixture)).map((a) => a.name), ['accel_mini_stream', 'accel_mini_tasks']);
  const [n] = toRvgen(machineGraph(nestedFixture));
  const f = ownReading(n!);
  // STOP and UNPLUG are defined on `active`, RESET and PING on the machine: the leaves take them.
  assert.deepEqual(f.active_slow, { go: 'active_fast', unplug: 'gone', stop: 'idle', reset: 'idle', ping: 'active_slow' });
  assert.deepEqual(f.active_fast, { go: 'active_fast', unplug: 'gone', stop: 'idle', reset: 'idle', ping: 'active_fast' });
  assert.deepEqual(f.idle, { go: 'active_slow', reset: 'idle', ping: 'idle' });
  // a top-level final state ends the machine: no event leaves it
  assert.equal(f.gone, undefined);
  assert.equal(cIdent('HW_PARAMS'), 'hw_params');
  assert.equal(cIdent('ready && !linked'), 'ready_and_not_linked');
});

test("the kernel's rvgen accepts every automaton and reads it as written", (t) => {
  if (!existsSync(join(RVGEN, 'rvgen', 'automata.py'))) {
    t.skip(`rvgen not found at ${RVGEN}: unpack it with alsa-spec kernel sources --kernel 7.2`);
    return;
  }
  const py = findPython();
  if (!py) {
    t.skip('python3 not found: rvgen is Python');
    return;
  }
  if (!py.generates) {
    t.diagnostic(`Python ${py.version} (${py.bin}) predates 3.12, which rvgen's monitor generator needs: checking with its parser only`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'alsa-spec-rvgen-'));
  try {
    for (const m of FIXTURE_MACHINES) {
      for (const a of toRvgen(machineGraph(m))) {
        const spec = join(dir, `${a.name}.dot`);
        writeFileSync(spec, a.dot);
        const r: SpawnSyncReturns<string> = spawnSync(py.bin, [DRIVER, RVGEN, spec, 'per_obj'], { cwd: dir, encoding: 'utf8' });
        assert.equal(r.status, 0, `rvgen on ${a.name}.dot failed:\n${r.stderr}`);
        const got = JSON.parse(r.stdout) as { name: string; initial: string; function: Record<string, Record<string, string>>; generated: boolean };
        assert.equal(got.name, a.name);
        const read = Object.fromEntries(Object.entries(got.function).filter(([, evs]) => Object.keys(evs).length));
        assert.deepEqual(read, ownReading(a), `${a.name}: rvgen's transition function`);
        assert.equal(got.initial, a.dot.match(/"__init_([a-z0-9_]+)"/)![1]);
        if (got.generated) {
          assert.deepEqual(readdirSync(join(dir, a.name)).sort(), ['Kconfig', `${a.name}.c`, `${a.name}.h`, `${a.name}_trace.h`]);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an outcome with no guard to show is named after the state it leads to', () => {
  const m = createMachine({
    id: 'outcomes',
    initial: 'RUNNING',
    states: {
      RUNNING: {
        on: {
          WRITEI: [
            { guard: 'endsInRunning', meta: { rules: ['x.xfer.ok'], premises: [] } },
            { guard: 'endsInXrun', target: 'XRUN', meta: { rules: ['x.xfer.xrun'], errno: 'EPIPE', premises: [] } },
            { guard: 'isActor', meta: { rules: [], kind: 'gap' } },
          ],
        },
      },
      XRUN: {},
    },
  });
  const f = ownReading(toRvgen(machineGraph(m))[0]!);
  assert.deepEqual(f.running, { writei_to_running: 'running', writei_to_xrun: 'xrun' });
});
