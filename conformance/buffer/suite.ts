// The buffer suite for one device profile: generated paths through the buffer machine and random
// sequences of the same commands, each on a fresh session, run three ways (PCM machine, buffer
// machine, backend: runner.ts). Returns the shape the PCM suite returns, so `alsa-spec check`
// merges its rules and coverage.
import fc from 'fast-check';
import type { StreamDir } from '../../spec/abi/states.ts';
import { resolveMemory, type PcmBackend } from '../../spec/device.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import type { TestResult, TestStatus } from '../../reports/results.ts';
import type { BufferEvent } from '../../machines/buffer/index.ts';
import { describe } from '../codec.ts';
import { commandsArg } from '../random.ts';
import { countInto, record, trace, type SuiteRun } from '../suite.ts';
import { bufferEdgeRules } from './model.ts';
import { planBufferPaths } from './paths.ts';
import { runBufferSequence, type BufferRunResult } from './runner.ts';
import { bufferEventArbitrary } from './vocabulary.ts';

export const BUFFER_MACHINE_ID = 'pcm-buffer';

export interface BufferSuiteOptions {
  /** The profile's name, for ids and replay lines (ids are `<profile>/paths/<n>`; `alsa-spec
   * check` shows them under `buffer/`). */
  profile: string;
  /** Only the tests whose id starts with this. */
  only?: string;
  /** The direction whose substream the machine follows. */
  dir: StreamDir;
  seed: number;
  randomRuns: number;
  maxCommands: number;
}

const emptyRun = (): SuiteRun => ({ tests: [], machines: {}, passedRules: new Set(), failedRules: new Set(), unsupportedRules: new Set(), planning: [] });

/** The PCM machine's coverage and the rules (suite.ts), then the buffer machine's. */
function recordBuffer(run: SuiteRun, r: BufferRunResult): void {
  record(run, 1, r);
  countInto(run, BUFFER_MACHINE_ID, r.bufferStates, r.bufferTransitions, r.bufferEdges);
}

export async function runBufferSuite(backend: PcmBackend, opts: BufferSuiteOptions): Promise<SuiteRun> {
  const run = emptyRun();
  const probe = await backend.open();
  const info = probe.info;
  await probe.dispose();
  if (!info.streams[opts.dir]) return run;
  const prefix = opts.profile;
  const replayOnly = (id: string) => `alsa-spec check --only buffer/${id}`;
  const want = (id: string) => !opts.only || id.startsWith(opts.only);
  const t0 = performance.now();
  const plan = planBufferPaths({ dir: opts.dir, caps: info.streams, kernel: info.follows, ...(info.memory ? { memory: info.memory } : {}) });
  run.planning.push({ files: 1, states: plan.states, transitions: plan.transitions, paths: plan.paths.length, ms: Math.round(performance.now() - t0) });
  let inspected = false;
  let ran = 0;
  for (let n = 0; n < plan.paths.length; n++) {
    const path = plan.paths[n]!;
    const id = `${prefix}/paths/${n + 1}`;
    if (!want(id)) continue;
    const device = await backend.open();
    let r: BufferRunResult;
    try {
      r = await runBufferSequence(device, opts.dir, path);
    } finally {
      await device.dispose();
    }
    inspected ||= r.inspected;
    ran++;
    recordBuffer(run, r);
    const last = r.transitions[r.transitions.length - 2] ?? r.transitions[0] ?? 'the first command';
    run.tests.push({
      id,
      title: `the backend, the PCM machine and the buffer machine agree along a ${path.length}-command path that ends with ${last}`,
      rules: [...r.rules].sort(),
      status: r.status as TestStatus,
      replay: replayOnly(id),
      commands: path.map(describe),
      ...(r.status !== 'PASS' ? { reason: r.message ?? '', trace: trace(r) } : {}),
    });
  }
  if (opts.randomRuns > 0 && want(`${prefix}/random`)) {
    const id = `${prefix}/random`;
    let failure: { commands: BufferEvent[]; result: BufferRunResult } | undefined;
    const covered = new Set<RuleId>();
    const property = fc.asyncProperty(fc.array(bufferEventArbitrary(opts.dir), { minLength: 1, maxLength: opts.maxCommands }), async (commands) => {
      const device = await backend.open();
      try {
        const r = await runBufferSequence(device, opts.dir, commands);
        if (r.status === 'FAIL' || r.status === 'ERROR') {
          failure = { commands, result: r };
          return false;
        }
        recordBuffer(run, r);
        r.rules.forEach((x) => covered.add(x));
        return true;
      } finally {
        await device.dispose();
      }
    });
    const d = await fc.check(property, { seed: opts.seed, numRuns: opts.randomRuns });
    const title = `the backend and both machines agree on ${opts.randomRuns} random sequences of up to ${opts.maxCommands} buffer commands (seed ${opts.seed})`;
    if (d.failed && failure) {
      recordBuffer(run, failure.result);
      run.tests.push({
        id, title, rules: [...failure.result.rules].sort(), status: failure.result.status as TestStatus,
        reason: `${failure.result.message} (shrunk to ${failure.commands.length} commands; fast-check seed ${opts.seed}, path ${d.counterexamplePath})`,
        // The same seed replays the same runs; the shrunk sequence is in `sequence` for replay(1)-style use.
        replay: `alsa-spec check --seed ${opts.seed} --only buffer/${id}`,
        sequence: commandsArg(failure.commands),
        trace: trace(failure.result),
        commands: failure.commands.map(describe),
      });
    } else {
      run.tests.push({ id, title, rules: [...covered].sort(), status: 'PASS', replay: replayOnly(id) });
    }
  }
  // What this driver's buffer setup rules out (another setup's preallocation, proc files a driver
  // without a maximum does not have): UNSUPPORTED here rather than UNCOVERED.
  if (!opts.only && plan.complete) {
    const carriers = new Map<RuleId, boolean>();
    for (const [edge, rules] of bufferEdgeRules()) for (const r of rules) carriers.set(r, (carriers.get(r) ?? false) || plan.reachable.has(edge));
    const ruledOut = [...carriers].filter(([r, seen]) => !seen && !run.passedRules.has(r) && !run.failedRules.has(r)).map(([r]) => r).sort();
    if (ruledOut.length) {
      const m = resolveMemory(info.memory).buffers[opts.dir];
      const setup = `${m.managed ? 'managed' : 'not managed'} ${m.type}, size ${m.size}, max ${m.max}`;
      run.tests.push({
        id: `${prefix}/unreachable`, title: "the buffer rules this driver's setup rules out", rules: ruledOut, status: 'UNSUPPORTED',
        reason: `the buffer machine explored from ${info.device}'s ${opts.dir.toLowerCase()} setup (${setup}; all ${plan.states} states, the suite's commands) takes no edge of these rules`,
      } as TestResult);
      for (const r of ruledOut) run.unsupportedRules.add(r);
    }
  }
  if (!inspected && ran > 0) {
    // A backend that shows no callbacks: the order rules were not checked beyond the outcomes.
    const rules: RuleId[] = ['buffer.hw-params.alloc-first', 'buffer.hw-free.order'];
    run.tests.push({
      id: `${prefix}/callbacks`, title: "the core's allocations and the driver's callbacks run in the kernel's order", rules, status: 'UNSUPPORTED',
      reason: `${info.backend} does not show driver callbacks or the card's memory (only the reference's inspection API does)`,
    } as TestResult);
    for (const r of rules) run.unsupportedRules.add(r);
  }
  return run;
}
