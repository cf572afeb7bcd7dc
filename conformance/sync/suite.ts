// The sync suite for one device profile (spec/pcm/sync.md): the sync machine against the
// reference's views through its probe (probe.ts); named sequences and random sequences of PCM
// commands whose sync calls and view records must be what the PCM machine and the sync machine
// predict (runner.ts); and data through the loopback (data.ts). A backend without the inspection
// API (a real kernel) gets UNSUPPORTED with the reason.
import fc from 'fast-check';
import type { PcmBackend } from '../../spec/device.ts';
import { RULE_IDS, type RuleId } from '../../spec/rules.generated.ts';
import type { TestResult, TestStatus } from '../../reports/results.ts';
import { describe } from '../codec.ts';
import { commandsArg, sequenceArbitrary } from '../random.ts';
import { countInto, record, trace, type SuiteRun } from '../suite.ts';
import { runSyncDataTests, type DataExpectation } from './data.ts';
import { syncInspectable } from './inspect.ts';
import { planProbePaths, probeStart, runProbePath } from './probe.ts';
import { runSyncSequence, type SyncRunResult } from './runner.ts';
import { SYNC_SCENARIOS } from './scenarios.ts';

export const SYNC_MACHINE_ID = 'dma-sync';

export interface SyncSuiteOptions {
  profile: string;
  seed: number;
  randomRuns: number;
  maxCommands: number;
  /** What the loopback data tests must find on this profile. */
  data: DataExpectation;
  only?: string;
}

const SYNC_RULES = RULE_IDS.filter((r) => r.startsWith('sync.'));

/** The PCM machine's coverage and the rules (suite.ts), then the sync machine's. */
function recordSync(run: SuiteRun, r: SyncRunResult, files: 1 | 2): void {
  record(run, files, r);
  countInto(run, SYNC_MACHINE_ID, r.syncStates, r.syncTransitions, r.syncEdges);
}

export async function runSyncSuite(backend: PcmBackend, opts: SyncSuiteOptions): Promise<SuiteRun> {
  const run: SuiteRun = { tests: [], machines: {}, passedRules: new Set(), failedRules: new Set(), unsupportedRules: new Set(), planning: [] };
  const want = (id: string) => !opts.only || id.startsWith(opts.only);
  const probeDev = await backend.open();
  const info = probeDev.info;
  const inspect = syncInspectable(probeDev);
  await probeDev.dispose();
  if (!inspect) {
    const reason =
      `${info.backend} does not show its buffers' views; the sync points are side effects no ioctl reports` +
      (info.kernel ? ', and no stock virtual driver (snd-dummy, snd-aloop) sets EXPLICIT_SYNC: their CONTINUOUS and VMALLOC buffers never need syncing' : '');
    run.tests.push({ id: `${opts.profile}/sync`, title: 'the DMA sync points', rules: SYNC_RULES, status: 'UNSUPPORTED', reason });
    SYNC_RULES.forEach((r) => run.unsupportedRules.add(r));
    return run;
  }
  const dirs = (['PLAYBACK', 'CAPTURE'] as const).filter((d) => info.streams[d]);
  // 1. The machine against the views, through the probe.
  for (const dir of dirs) {
    const start = await probeStart(backend, dir);
    if (!start) continue;
    const t0 = performance.now();
    const plan = planProbePaths(start);
    run.planning.push({ files: 1, states: plan.states, transitions: 0, paths: plan.paths.length, ms: Math.round(performance.now() - t0) });
    for (let n = 0; n < plan.paths.length; n++) {
      const id = `${opts.profile}/probe/${dir.toLowerCase()}/${n + 1}`;
      if (!want(id)) continue;
      const path = plan.paths[n]!;
      const r = await runProbePath(backend, dir, path);
      countInto(run, SYNC_MACHINE_ID, [], r.transitions, r.edges);
      for (const x of r.rules) (r.status === 'PASS' ? run.passedRules : run.failedRules).add(x);
      run.tests.push({
        id,
        title: `the ${dir.toLowerCase()} buffer's two views are what the sync machine says along ${path.length} stores, loads and syncs`,
        rules: [...r.rules].sort(),
        status: r.status as TestStatus,
        replay: `alsa-spec check --only sync/${id}`,
        commands: path.map((e) => describe(e as never)),
        ...(r.status !== 'PASS' ? { reason: r.message ?? '' } : {}),
      });
    }
  }
  // 2. Named sequences, then random ones.
  const files = dirs.length === 2 ? 2 : 1;
  for (const sc of SYNC_SCENARIOS) {
    const id = `${opts.profile}/scenario/${sc.id}`;
    if (!want(id) || (files === 1 && sc.commands.some((c) => 'fd' in c && c.fd === 1))) continue;
    const device = await backend.open();
    let r: SyncRunResult;
    try {
      r = await runSyncSequence(device, sc.commands, files);
    } finally {
      await device.dispose();
    }
    recordSync(run, r, files);
    run.tests.push({
      id, title: sc.title, rules: [...r.rules].sort(), status: r.status as TestStatus,
      replay: `alsa-spec check --only sync/${id}`,
      ...(r.status !== 'PASS' ? { reason: r.message ?? '', trace: trace(r) } : {}),
    });
  }
  if (opts.randomRuns > 0 && want(`${opts.profile}/random`)) {
    const id = `${opts.profile}/random`;
    let failure: { commands: Parameters<typeof runSyncSequence>[1]; result: SyncRunResult } | undefined;
    const covered = new Set<RuleId>();
    const property = fc.asyncProperty(sequenceArbitrary(info.streams, files, opts.maxCommands), async (commands) => {
      const device = await backend.open();
      try {
        const r = await runSyncSequence(device, commands, files);
        if (r.status === 'FAIL' || r.status === 'ERROR') {
          failure = { commands, result: r };
          return false;
        }
        recordSync(run, r, files);
        r.rules.forEach((x) => covered.add(x));
        return true;
      } finally {
        await device.dispose();
      }
    });
    const d = await fc.check(property, { seed: opts.seed, numRuns: opts.randomRuns });
    const title = `sync calls and views agree with both machines on ${opts.randomRuns} random PCM sequences of up to ${opts.maxCommands} commands (seed ${opts.seed})`;
    if (d.failed && failure) {
      recordSync(run, failure.result, files);
      run.tests.push({
        id, title, rules: [...failure.result.rules].sort(), status: failure.result.status as TestStatus,
        reason: `${failure.result.message} (shrunk to ${failure.commands.length} commands; fast-check seed ${opts.seed}, path ${d.counterexamplePath})`,
        // The same seed replays the same runs (sync calls and views included, which `replay` does not
        // compare); the shrunk sequence is in `sequence`.
        replay: `alsa-spec check --seed ${opts.seed} --only sync/${id}`,
        sequence: commandsArg(failure.commands),
        trace: trace(failure.result),
        commands: failure.commands.map(describe),
      });
    } else {
      run.tests.push({ id, title, rules: [...covered].sort(), status: 'PASS', replay: `alsa-spec check --only sync/${id}` });
    }
  }
  // 3. Data through the loopback.
  for (const t of await runSyncDataTests(backend, opts.profile, opts.data)) {
    if (!want(t.id)) continue;
    run.tests.push(t);
    for (const r of t.rules as RuleId[]) (t.status === 'PASS' ? run.passedRules : t.status === 'UNSUPPORTED' ? run.unsupportedRules : run.failedRules).add(r);
  }
  return run;
}

export type { TestResult };
