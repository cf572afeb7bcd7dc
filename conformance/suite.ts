// The conformance suite for one backend: the generated paths of the one-file and two-file
// machines, random sequences, and the data tests, each on a fresh session; results in the
// results.json shape (reports/results.ts) with coverage of states, transitions, edges and rules.
import type { PcmBackend } from '../spec/device.ts';
import { RULE_IDS, type RuleId } from '../spec/rules.generated.ts';
import type { Results, RuleStatus, TestResult, TestStatus, TraceStep } from '../reports/results.ts';
import { allEdges, twoFileEdges } from '../machines/pcm/decide.ts';
import { canonical, describe, stringify } from './codec.ts';
import { runDataTests } from './data.ts';
import { planPathsCached } from './explore.ts';
import { unreachableRules } from '../machines/pcm/reach.ts';
import type { PathGeometry } from './generators.ts';
import { Model, modelInput } from './model.ts';
import { commandsArg, randomRun } from './random.ts';
import { SCENARIOS } from './scenarios.ts';
import { runSequence, type RunResult } from './session.ts';

export interface Progress {
  /** A phase begins: its name and how many units it has. */
  phase(name: string, total: number): void;
  tick(n?: number): void;
}

export interface SuiteOptions {
  /** The name replay lines use for this backend, e.g. `ring-core --profile full`. */
  replayTarget: string;
  seed: number;
  randomRuns: number;
  maxCommands: number;
  progress?: Progress;
  /** Only these tests (by id prefix). */
  only?: string;
  /** Period and rate of the paths' configurations (generators.REAL_TIME_GEOMETRY for a device
   * whose interrupts an emulated guest must keep up with); default the smallest the caps admit. */
  geometry?: PathGeometry;
}

export interface SuiteRun {
  tests: TestResult[];
  /** Per machine: state visits, transition counts, edge counts. */
  machines: Record<string, { states: Record<string, number>; transitions: Record<string, number>; edges: Record<string, number> }>;
  /** Rules exercised by passing steps, and by the step that failed. */
  passedRules: Set<RuleId>;
  failedRules: Set<RuleId>;
  unsupportedRules: Set<RuleId>;
  planning: { files: number; states: number; transitions: number; paths: number; ms: number }[];
}

const MACHINE_ID = { 1: 'pcm', 2: 'pcm2' } as const;

/** Rules only a device whose clock is not the test's exercises (ring-core profile `wall`, the
 * kernel backend). */
const REAL_TIME_RULES: readonly RuleId[] = ['device.advance.observed'];

/** Shrink attempts of a failing random sequence on a real-time device (each is a run on it). */
const REAL_TIME_SHRINK_RUNS = 60;

/** A run's steps as the results' trace. */
export function trace(r: RunResult): TraceStep[] {
  return r.steps.map((s) => ({
    step: s.step + 1,
    command: s.command,
    model: s.model,
    backend: s.backend,
    transitions: s.transitions,
    ...(s.divergence ? { divergence: s.divergence, ok: false } : {}),
  }));
}

/** Adds visits of states, transitions and edges to one machine's coverage in `run`. */
export function countInto(run: SuiteRun, machine: string, states: readonly string[], transitions: readonly string[], edges: readonly string[]): void {
  const m = (run.machines[machine] ??= { states: {}, transitions: {}, edges: {} });
  for (const s of states) m.states[s] = (m.states[s] ?? 0) + 1;
  for (const t of transitions) m.transitions[t] = (m.transitions[t] ?? 0) + 1;
  for (const e of edges) m.edges[e] = (m.edges[e] ?? 0) + 1;
}

/** A sequence's coverage of the PCM machine with `files` files, and its rules by status. */
export function record(run: SuiteRun, files: 1 | 2, r: RunResult): void {
  countInto(run, MACHINE_ID[files], r.states, r.transitions, r.edges);
  const passed = r.status === 'PASS' ? r.rules : r.passedRules;
  for (const x of passed) run.passedRules.add(x);
  if (r.status === 'FAIL' || r.status === 'ERROR') for (const x of r.failedRules) run.failedRules.add(x);
  if (r.status === 'UNSUPPORTED') for (const x of r.failedRules) run.unsupportedRules.add(x);
}

/** A sentence that says what this path's passing means. */
function pathTitle(r: RunResult, length: number): string {
  const last = r.transitions[r.transitions.length - 1] ?? 'the first command';
  return `the backend agrees with the model, step by step, along a ${length}-command path that ends with ${last}`;
}

export async function runPcmSuite(backend: PcmBackend, opts: SuiteOptions): Promise<SuiteRun> {
  const probe = await backend.open();
  const info = probe.info;
  await probe.dispose();
  const run: SuiteRun = { tests: [], machines: {}, passedRules: new Set(), failedRules: new Set(), unsupportedRules: new Set(), planning: [] };
  // On a virtual clock the hardware moves only when told: there is no progress to observe.
  if (info.virtualClock) for (const r of REAL_TIME_RULES) run.unsupportedRules.add(r);
  const want = (id: string) => !opts.only || id.startsWith(opts.only);
  /** Some test under `prefix` can be wanted (plans are made only then). */
  const wantUnder = (prefix: string) => !opts.only || opts.only.startsWith(prefix) || prefix.startsWith(opts.only);
  const both = info.streams.PLAYBACK !== undefined && info.streams.CAPTURE !== undefined;
  // A device that runs in real time: random sequences in geometries a harness keeps up with.
  const realTime = !info.virtualClock;
  for (const files of both ? ([1, 2] as const) : ([1] as const)) {
    if (!wantUnder(`paths/${files}/`) && !wantUnder(`random/${files}`)) continue;
    const t0 = performance.now();
    opts.progress?.phase(`planning paths (${files} file${files > 1 ? 's' : ''})`, 1);
    const plan = planPathsCached({
      files, caps: info.streams, kernel: info.follows, ...(info.memory ? { memory: info.memory } : {}), ...(opts.geometry ? { geometry: opts.geometry } : {}),
    });
    opts.progress?.tick();
    run.planning.push({ files, states: plan.states, transitions: plan.transitions, paths: plan.paths.length, ms: Math.round(performance.now() - t0) });
    opts.progress?.phase(`paths (${files} file${files > 1 ? 's' : ''})`, plan.paths.length);
    for (let n = 0; n < plan.paths.length; n++) {
      const id = `paths/${files}/${n + 1}`;
      opts.progress?.tick();
      if (!want(id)) continue;
      const path = plan.paths[n]!;
      const device = await backend.open();
      let r: RunResult;
      try {
        r = await runSequence(new Model(modelInput(info, files)), device, path);
      } finally {
        await device.dispose();
      }
      record(run, files, r);
      run.tests.push({
        id,
        title: pathTitle(r, path.length),
        rules: [...r.rules].sort(),
        status: r.status as TestStatus,
        replay: `alsa-spec replay --backend ${opts.replayTarget} --files ${files} ${commandsArg(path)}`,
        ...(r.status !== 'PASS' ? { reason: r.message ?? '', trace: trace(r) } : {}),
      });
    }
    const id = `random/${files}`;
    if (!want(id) || opts.randomRuns === 0) continue;
    opts.progress?.phase(`random sequences (${files} file${files > 1 ? 's' : ''})`, 1);
    const rr = await randomRun({
      backend, caps: info.streams, kernel: info.follows, ...(info.memory ? { memory: info.memory } : {}), files, seed: opts.seed, runs: opts.randomRuns,
      maxCommands: opts.maxCommands, ...(realTime ? { realTime, shrinkRuns: REAL_TIME_SHRINK_RUNS } : {}),
    });
    opts.progress?.tick();
    const title = `the backend agrees with the model on ${rr.runs} random sequences of up to ${opts.maxCommands} commands after a random setup (seed ${opts.seed})`;
    record(run, files, rr.covered);
    if (rr.failure) {
      record(run, files, rr.failure.result);
      run.tests.push({
        id,
        title,
        rules: [...rr.failure.result.rules].sort(),
        status: rr.status,
        reason: `${rr.failure.message} (shrunk to ${rr.failure.commands.length} commands; fast-check seed ${rr.seed}, path ${rr.failure.path})`,
        replay: `alsa-spec replay --backend ${opts.replayTarget} --files ${files} ${commandsArg(rr.failure.commands)}`,
        trace: trace(rr.failure.result),
        commands: rr.failure.commands.map(describe),
      });
    } else {
      run.tests.push({
        id,
        title,
        rules: [...rr.covered.rules].sort(),
        status: 'PASS',
        replay: `alsa-spec check --backend ${opts.replayTarget} --seed ${opts.seed} --only ${id}`,
      });
    }
  }
  for (const sc of SCENARIOS) {
    if (!want(sc.id)) continue;
    const base = { id: sc.id, title: sc.title, replay: `alsa-spec replay --backend ${opts.replayTarget} --files 1 ${commandsArg(sc.commands)}` };
    const missing = sc.needs?.(info.streams) ?? (info.streams.PLAYBACK ? null : 'the device has no playback');
    if (missing) {
      sc.rules.forEach((r) => run.unsupportedRules.add(r));
      run.tests.push({ ...base, rules: sc.rules, status: 'UNSUPPORTED', reason: missing });
      continue;
    }
    const device = await backend.open();
    let r: RunResult;
    try {
      r = await runSequence(new Model(modelInput(info, 1)), device, sc.commands);
    } finally {
      await device.dispose();
    }
    record(run, 1, r);
    run.tests.push({ ...base, rules: [...new Set([...sc.rules, ...r.rules])].sort(), status: r.status as TestStatus, ...(r.status !== 'PASS' ? { reason: r.message ?? '', trace: trace(r) } : {}) });
  }
  if (want('data')) {
    for (const t of await runDataTests(backend, info, opts.replayTarget)) {
      run.tests.push(t.result);
      for (const r of t.result.rules as RuleId[]) (t.result.status === 'PASS' ? run.passedRules : t.result.status === 'UNSUPPORTED' ? run.unsupportedRules : run.failedRules).add(r);
    }
  }
  // What the device's capabilities rule out is UNSUPPORTED on it, with the reason, not UNCOVERED.
  const unreachable = opts.only ? [] : unreachableRules({ caps: info.streams, ...(info.memory ? { memory: info.memory } : {}) }, both ? [1, 2] : [1])
    .filter((r) => !run.passedRules.has(r) && !run.failedRules.has(r));
  if (unreachable.length) {
    run.tests.push({
      id: 'paths/unreachable',
      title: "the rules no path can reach on this device's capabilities",
      rules: unreachable,
      status: 'UNSUPPORTED',
      reason: `every edge of these rules needs a capability the device lacks (INFO_PAUSE, INFO_RESUME, INFO_MMAP, a missing direction, buffers that need syncing) or is behind a refusal it always gets (machines/pcm/reach.ts)${both ? '' : ', or belongs to the two-file machine, which is not run on a device with one direction'}: ${unreachable.join(', ')}`,
    });
    for (const r of unreachable) run.unsupportedRules.add(r);
  }
  return run;
}

/** Rule status over one or more suite runs (spec rules only). */
export function ruleStatus(runs: readonly SuiteRun[], rules: readonly string[] = RULE_IDS): Record<string, RuleStatus> {
  const out: Record<string, RuleStatus> = {};
  for (const id of rules) {
    const r = id as RuleId;
    if (runs.some((x) => x.failedRules.has(r))) out[id] = 'FAIL';
    else if (runs.some((x) => x.passedRules.has(r))) out[id] = 'PASS';
    else if (runs.some((x) => x.unsupportedRules.has(r))) out[id] = 'UNSUPPORTED';
    else out[id] = 'UNCOVERED';
  }
  return out;
}

/** Merge per-profile runs into one results file. */
export function toResults(args: {
  backend: string;
  kernel: string | null;
  device: string | Record<string, unknown>;
  runs: { profile: string; run: SuiteRun }[];
  rules: Record<string, RuleStatus>;
  seed: number;
  startedAt: string;
  durationMs: number;
  extraTests?: TestResult[];
  /** Edges of machines other than pcm and pcm2 (whose totals come from their edge tables). */
  edgeTotals?: Record<string, number>;
}): Results {
  const tests: TestResult[] = [];
  const machines: Record<string, { states: Record<string, number>; transitions: Record<string, number>; edges: Record<string, number>; edgesTotal: number }> = {};
  // Test ids carry the profile only when a run has several, so that runs of one profile each (6.1
  // against 7.2, say) name the same tests alike and `alsa-spec diff` can pair them.
  const prefixed = args.runs.length > 1;
  for (const { profile, run } of args.runs) {
    for (const t of run.tests) tests.push({ ...t, id: prefixed ? `${profile}/${t.id}` : t.id });
    for (const [mid, m] of Object.entries(run.machines)) {
      const total = args.edgeTotals?.[mid] ?? (mid === 'pcm2' ? twoFileEdges().size : allEdges(1).size);
      const acc = (machines[mid] ??= { states: {}, transitions: {}, edges: {}, edgesTotal: total });
      for (const [k, v] of Object.entries(m.states)) acc.states[k] = (acc.states[k] ?? 0) + v;
      for (const [k, v] of Object.entries(m.transitions)) acc.transitions[k] = (acc.transitions[k] ?? 0) + v;
      for (const [k, v] of Object.entries(m.edges)) acc.edges[k] = (acc.edges[k] ?? 0) + v;
    }
  }
  tests.push(...(args.extraTests ?? []));
  const top = machines.pcm ?? { states: {}, transitions: {} };
  return {
    backend: args.backend,
    kernel: args.kernel,
    device: args.device,
    machine: 'pcm',
    seed: args.seed,
    startedAt: args.startedAt,
    durationMs: args.durationMs,
    tests,
    coverage: { states: top.states, transitions: top.transitions, rules: args.rules, machines },
  };
}

export { canonical, stringify };
