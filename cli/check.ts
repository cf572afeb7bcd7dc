// `alsa-spec check`: the conformance suite on one backend, its results, tables, diagrams, report.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyStateMachine } from 'xstate';
import { RULE_IDS } from '../spec/rules.generated.ts';
import type { RuleStatus, TestResult } from '../reports/results.ts';
import { machineDot } from '../reports/dot.ts';
import { machineGraph } from '../reports/graph.ts';
import { writeReport } from '../reports/report.ts';
import { DIAGRAM_MACHINES } from '../reports/machines.ts';
import { createPcmMachine } from '../machines/pcm/machine.ts';
import { tableMarkdown, transitionTable } from '../machines/pcm/table.ts';
import { allEdges, twoFileEdges } from '../machines/pcm/decide.ts';
import { runAccelSuite } from '../conformance/accel/index.ts';
import { referenceAccelBackend } from '../reference/accel/index.ts';
import { pcmProfile, ringProfile, UsageError } from '../conformance/backends.ts';
import { runKernelMemoryChecks } from '../conformance/kernel-memory.ts';
import { kernelAccelBackend } from '../conformance/accel/kernel.ts';
import { REAL_TIME_GEOMETRY } from '../conformance/generators.ts';
import type { KernelDeviceName, KernelVersion } from '../reference/kernel/cache.ts';
import type { Results } from '../reports/results.ts';
import { BUFFER_MACHINE_ID, bufferEdgeIds, runBufferSuite } from '../conformance/buffer/index.ts';
import { runSyncSuite, SYNC_MACHINE_ID, syncEdgeIds, type DataExpectation } from '../conformance/sync/index.ts';
import { ruleStatus, runPcmSuite, toResults, type SuiteRun } from '../conformance/suite.ts';
import { makeProgress } from './progress.ts';
import { stringify } from '../conformance/codec.ts';

export interface CheckOptions {
  backend: string;
  profiles: string[];
  seed: number;
  runs: number;
  maxCommands: number;
  out: string;
  only?: string;
  report: boolean;
  progress: boolean;
  /** --backend kernel: which kernel and device, and where the provisioned kernels are. */
  kernel?: KernelVersion;
  device?: KernelDeviceName;
  kernelDir?: string;
  cacheDir?: string;
  /** --runs was given (the kernel's default is smaller than the ring core's). */
  runsGiven?: boolean;
}

/** Random sequences per machine on a real kernel when --runs is not given: each takes a second or
 * so of device time. */
export const KERNEL_RANDOM_RUNS = 12;

const RULE_ORDER: readonly RuleStatus[] = ['PASS', 'FAIL', 'UNCOVERED', 'UNSUPPORTED'];

/** The buffer suite's runs: a memory profile and the direction its buffer machine follows. Each
 * profile once; capture where its capture side is the interesting one (fallback: the second
 * preallocation falls back; noncoherent: the CPU syncs). */
export const BUFFER_RUNS: readonly { profile: string; dir: 'PLAYBACK' | 'CAPTURE' }[] = [
  { profile: 'dummy', dir: 'PLAYBACK' },
  { profile: 'dummy-6.1', dir: 'PLAYBACK' },
  { profile: 'prealloc', dir: 'PLAYBACK' },
  { profile: 'fallback', dir: 'CAPTURE' },
  { profile: 'fixed', dir: 'PLAYBACK' },
  { profile: 'legacy', dir: 'PLAYBACK' },
  { profile: 'aloop', dir: 'PLAYBACK' },
  { profile: 'noncoherent', dir: 'CAPTURE' },
  { profile: 'noncoherent-on-demand', dir: 'PLAYBACK' },
];

/** The sync suite's runs: two-view buffers with EXPLICIT_SYNC (their data must arrive intact),
 * the same allocated on demand (no EXPLICIT_SYNC: nothing arrives), and one view (snd-aloop). */
export const SYNC_RUNS: readonly { profile: string; data: DataExpectation }[] = [
  { profile: 'noncoherent', data: 'intact' },
  { profile: 'noncoherent-on-demand', data: 'lost' },
  { profile: 'aloop', data: 'intact' },
];

/** `--only X/rest`: the part after the suite's own prefix, or false when X names another suite. */
function onlyFor(only: string | undefined, suite: string): string | undefined | false {
  if (!only) return undefined;
  if (only === suite) return undefined;
  return only.startsWith(`${suite}/`) ? only.slice(suite.length + 1) : false;
}

export async function check(opts: CheckOptions): Promise<number> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  if (opts.backend === 'kernel') return checkKernel(opts);
  if (opts.backend !== 'ring-core') {
    throw new UsageError(`unknown backend '${opts.backend}' (backends: ring-core, kernel)`);
  }
  const progress = makeProgress(opts.progress);
  const runs: { profile: string; run: SuiteRun }[] = [];
  const bufferOnly = onlyFor(opts.only, 'buffer');
  const syncOnly = onlyFor(opts.only, 'sync');
  const pcmOnly = opts.only && (bufferOnly !== false || syncOnly !== false) ? null : opts.only;
  try {
    for (const profile of pcmOnly === null ? [] : opts.profiles) {
      const backend = pcmProfile(profile);
      process.stderr.write(`ring-core, profile ${profile}:\n`);
      const run = await runPcmSuite(backend, {
        replayTarget: `ring-core --profile ${profile}`,
        seed: opts.seed,
        randomRuns: opts.runs,
        maxCommands: opts.maxCommands,
        progress,
        ...(opts.only ? { only: opts.only.replace(/^[^/]+\//, '') } : {}),
      });
      progress.stop();
      runs.push({ profile, run });
    }
    // The managed-buffer lifecycle on each memory profile (spec/pcm/managed.md).
    if (bufferOnly !== false) {
      process.stderr.write('buffer suite (memory profiles):\n');
      progress.phase('buffer paths and random sequences', BUFFER_RUNS.length);
      for (const { profile, dir } of BUFFER_RUNS) {
        const run = await runBufferSuite(ringProfile(profile, undefined, { trace: true }), {
          profile: `${profile}/${dir}`, dir, seed: opts.seed, randomRuns: Math.ceil(opts.runs / 4), maxCommands: Math.min(opts.maxCommands, 25),
          ...(bufferOnly ? { only: bufferOnly } : {}),
        });
        progress.tick();
        runs.push({ profile: 'buffer', run });
      }
      progress.stop();
    }
    // The DMA sync points on the two-view profiles (spec/pcm/sync.md).
    if (syncOnly !== false) {
      process.stderr.write('sync suite (two-view buffers):\n');
      progress.phase('sync probes, sequences and data', SYNC_RUNS.length);
      for (const { profile, data } of SYNC_RUNS) {
        const run = await runSyncSuite(ringProfile(profile, undefined, { trace: true }), {
          profile, data, seed: opts.seed, randomRuns: Math.ceil(opts.runs / 8), maxCommands: Math.min(opts.maxCommands, 30),
          ...(syncOnly ? { only: syncOnly } : {}),
        });
        progress.tick();
        runs.push({ profile: 'sync', run });
      }
      progress.stop();
    }
  } finally {
    progress.stop();
  }
  // The accel machine and the reference accelerator (spec/accel), alongside.
  const accel = await accelPart(opts, () => referenceAccelBackend());
  const device = { name: 'ring-core', profiles: opts.profiles };
  return finish(opts, t0, { backend: 'ring-core', kernel: null, device, startedAt }, runs, accel, `backend ring-core (profiles ${opts.profiles.join(', ')})`);
}

/** The accel suite on `backend` (unless --only names another suite): its tests and rule statuses. */
async function accelPart(opts: CheckOptions, backend: () => Parameters<typeof runAccelSuite>[0]): Promise<{ tests: TestResult[]; rules: Map<string, RuleStatus> }> {
  const tests: TestResult[] = [];
  const rules = new Map<string, RuleStatus>();
  if (!opts.only || opts.only.startsWith('accel')) {
    process.stderr.write('accel suite:\n  paths and random sequences\n');
    const accel = await runAccelSuite(backend(), { seed: opts.seed });
    for (const r of accel.results) tests.push({ ...r, id: `accel/${r.id}` });
    for (const [id, st] of Object.entries(accel.coverage.rules)) rules.set(id, st);
  }
  return { tests, rules };
}

function allRules(runs: { run: SuiteRun }[], accelRules: Map<string, RuleStatus>): Record<string, RuleStatus> {
  const rules: Record<string, RuleStatus> = { ...ruleStatus(runs.map((r) => r.run), RULE_IDS.filter((r) => !r.startsWith('accel.'))) };
  for (const id of RULE_IDS.filter((r) => r.startsWith('accel.'))) rules[id] = accelRules.get(id) ?? 'UNCOVERED';
  return rules;
}

/**
 * `check --backend kernel`: one VM (Debian kernel `--kernel`, QEMU with TCG) with the `--device`
 * driver; the PCM suite in real time (device.advance.observed) in a geometry an emulated guest
 * keeps up with, the managed-buffer checks, the accel probe; results with the kernel release,
 * the device and its capabilities.
 */
async function checkKernel(opts: CheckOptions): Promise<number> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const kernel = opts.kernel ?? '7.2';
  const device = opts.device ?? 'dummy';
  const { KernelBackend } = await import('../reference/kernel/device.ts');
  const backend = new KernelBackend({ kernel, device, provision: true, ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}), ...(opts.kernelDir ? { kernelDir: opts.kernelDir } : {}) });
  const progress = makeProgress(opts.progress);
  const runs: { profile: string; run: SuiteRun }[] = [];
  const randomRuns = opts.runsGiven ? opts.runs : KERNEL_RANDOM_RUNS;
  const memoryOnly = onlyFor(opts.only, 'memory');
  const pcmOnly = onlyFor(opts.only, device);
  let vmInfo: { release: string; bootMs: number; probe: string };
  let info;
  try {
    process.stderr.write(`kernel ${kernel}, ${device}: booting a virtual machine (QEMU, TCG)\n`);
    const vm = await backend.machine();
    vmInfo = { release: String(vm.hello.release ?? vm.provisioned.release), bootMs: vm.bootMs, probe: join(vm.provisioned.dir, 'probe', 'snd_compress.ko') };
    process.stderr.write(`  Linux ${vmInfo.release} answered in ${(vm.bootMs / 1000).toFixed(1)} s\n`);
    const probe = await backend.open();
    info = probe.info;
    await probe.dispose();
    if (pcmOnly !== false) {
      process.stderr.write(`PCM suite on ${device} (real time):\n`);
      const run = await runPcmSuite(backend, {
        replayTarget: `kernel --kernel ${kernel} --device ${device}`,
        seed: opts.seed, randomRuns, maxCommands: opts.maxCommands, progress, geometry: REAL_TIME_GEOMETRY,
        ...(pcmOnly ? { only: pcmOnly } : {}),
      });
      progress.stop();
      runs.push({ profile: device, run });
    }
    if (memoryOnly !== false) {
      process.stderr.write('managed buffers (buffer and sync suites):\n');
      const memory = await runKernelMemoryChecks(backend, { seed: opts.seed, randomRuns: Math.ceil(randomRuns / 2), maxCommands: 25 });
      for (const run of memory) runs.push({ profile: 'memory', run });
    }
  } finally {
    progress.stop();
    await backend.shutdown();
  }
  const image = existsSync(vmInfo.probe) ? new Uint8Array(readFileSync(vmInfo.probe)) : null;
  const accel = await accelPart(opts, () => kernelAccelBackend(`kernel-${kernel}`, vmInfo.release, image));
  const shown = {
    name: device, kernel, release: vmInfo.release, bootMs: vmInfo.bootMs, caps: info.streams, loopback: info.loopback,
    ...(info.memory ? { memory: info.memory } : {}), geometry: REAL_TIME_GEOMETRY,
  };
  return finish(opts, t0, { backend: 'kernel', kernel: vmInfo.release, device: shown, startedAt }, runs, accel, `backend kernel (Linux ${vmInfo.release}, ${device})`);
}

/** Merges the runs and the accel part into results; writes results.json, the machine's DOT and
 * table, the report; prints the summary; the exit code. */
async function finish(
  opts: CheckOptions, t0: number, run: { backend: string; kernel: string | null; device: Record<string, unknown>; startedAt: string },
  runs: { profile: string; run: SuiteRun }[], accel: { tests: TestResult[]; rules: Map<string, RuleStatus> }, what: string,
): Promise<number> {
  const rules = allRules(runs, accel.rules);
  const results: Results = toResults({
    ...run, runs, rules, seed: opts.seed, durationMs: 0, extraTests: accel.tests,
    edgeTotals: { [BUFFER_MACHINE_ID]: bufferEdgeIds().length, [SYNC_MACHINE_ID]: syncEdgeIds().length },
  });
  const checkMs = Math.round(performance.now() - t0);
  results.durationMs = checkMs;

  mkdirSync(opts.out, { recursive: true });
  writeFileSync(join(opts.out, 'results.json'), `${JSON.stringify(results, (_k, v) => (typeof v === 'bigint' ? `${v}` : v), 2)}\n`);
  const pcm = createPcmMachine(1) as unknown as AnyStateMachine;
  writeFileSync(join(opts.out, 'pcm.dot'), machineDot(machineGraph(pcm), { view: 'overview' }));
  writeFileSync(join(opts.out, 'pcm-transitions.md'), `# PCM machine: transition table\n\n${tableMarkdown(transitionTable(1))}`);
  let reportMs = 0;
  if (opts.report) {
    const r = await writeReport([results], join(opts.out, 'report'), { machines: DIAGRAM_MACHINES });
    reportMs = Math.round(r.ms);
  }

  // Summary
  const tests = results.tests;
  const count = (s: string) => tests.filter((t) => t.status === s).length;
  const ruleCount = (s: RuleStatus) => Object.values(rules).filter((x) => x === s).length;
  const pcmM = (results.coverage.machines ?? {}) as Record<string, { states: Record<string, number>; transitions: Record<string, number>; edges?: Record<string, number>; edgesTotal?: number }>;
  const lines = [
    '',
    `alsa-spec check — ${what}, seed ${opts.seed}`,
    ...Object.entries(pcmM).map(([id, m]) => {
      // The PCM machines' edges are counted against their decide.ts universes; the
      // buffer and sync machines report their own totals.
      const universe = id === 'pcm2' ? twoFileEdges() : id === 'pcm' ? new Set(allEdges(1).keys()) : null;
      const taken = universe ? Object.keys(m.edges ?? {}).filter((e) => universe.has(e)).length : Object.keys(m.edges ?? {}).length;
      const total = universe ? universe.size : m.edgesTotal ?? 0;
      const what = id === 'pcm2' ? 'two-file edges (groups, links)' : 'edges';
      return `  machine ${id}: ${Object.keys(m.states).length} states visited, ${Object.keys(m.transitions).length} distinct transitions, ${taken}/${total} ${what} taken`;
    }),
    `  rules: ${RULE_ORDER.map((s) => `${ruleCount(s)} ${s}`).join(', ')} (of ${RULE_IDS.length})`,
    `  tests: ${count('PASS')} passed, ${count('FAIL')} failed, ${count('ERROR')} errors, ${count('UNSUPPORTED')} unsupported (of ${tests.length})`,
    ...runs.filter((r) => !['buffer', 'sync', 'memory'].includes(r.profile)).flatMap(({ profile, run }) =>
      run.planning.map((p) => `  planning ${profile}/${p.files} file(s): ${p.states} abstract states, ${p.transitions} transitions, ${p.paths} paths in ${p.ms} ms`),
    ),
    ...summarisePlanning('buffer', runs.filter((r) => r.profile === 'buffer')),
    ...summarisePlanning('sync probes', runs.filter((r) => r.profile === 'sync')),
    `  wrote ${join(opts.out, 'results.json')}, pcm.dot, pcm-transitions.md${opts.report ? `, report/index.html (${reportMs} ms)` : ''}`,
    `  time: ${(checkMs / 1000).toFixed(1)} s`,
  ];
  const failing = tests.filter((t) => t.status === 'FAIL' || t.status === 'ERROR');
  for (const t of failing.slice(0, 10)) {
    lines.push(`  ✗ ${t.id}: ${t.reason ?? t.status}`, `      replay: ${t.replay ?? '(none)'}`);
  }
  if (failing.length > 10) lines.push(`  … and ${failing.length - 10} more failures in results.json`);
  const uncovered = Object.entries(rules).filter(([, s]) => s === 'UNCOVERED' || s === 'FAIL');
  for (const [id, s] of uncovered.slice(0, 20)) lines.push(`  rule ${id}: ${s}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  // A rule no test reaches fails a whole run; a run narrowed by --only cannot reach them all.
  return failing.length > 0 || (!opts.only && uncovered.length > 0) ? 1 : 0;
}

function summarisePlanning(name: string, runs: { run: SuiteRun }[]): string[] {
  if (!runs.length) return [];
  const p = runs.flatMap((r) => r.run.planning);
  const sum = (k: 'states' | 'transitions' | 'paths' | 'ms') => p.reduce((n, x) => n + x[k], 0);
  return [`  planning ${name} (${runs.length} profiles): ${sum('states')} abstract states, ${sum('transitions')} transitions, ${sum('paths')} paths in ${sum('ms')} ms`];
}

export { stringify };
