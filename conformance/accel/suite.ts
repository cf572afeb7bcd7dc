// The accel conformance suite: generated paths through the machines (every edge, every rule,
// every vertex of the abstraction, observed) and random command sequences, each compared step by
// step with the model and, for finished tasks, with the oracle. Returns results and coverage in
// the shape `alsa-spec check` reports.
import type { AccelBackend } from '../../spec/accel-device.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import { ACCEL_RULE_IDS, CoverageCounter, type AccelCoverage } from './coverage.ts';
import { generatePaths } from './paths.ts';
import { runRandom } from './random.ts';
import { encodeReplay } from './replay.ts';
import { AccelRunner } from './runner.ts';

export type AccelStatus = 'PASS' | 'FAIL' | 'UNSUPPORTED' | 'ERROR';

export interface AccelResult {
  id: string;
  title: string;
  rules: RuleId[];
  status: AccelStatus;
  /** One line that replays the failure (replayAccel()). */
  replay?: string;
  /** Why it failed, errored, or is unsupported. */
  message?: string;
}

export interface AccelSuiteReport {
  backend: string;
  results: AccelResult[];
  coverage: AccelCoverage;
}

export interface AccelSuiteOptions {
  /** Seeds fast-check and the input data (default 1). */
  seed?: number;
  /** Random sequences to run (default 200); 0 skips them. */
  runs?: number;
  /** Longest random sequence (default 40). */
  maxCommands?: number;
  /** Run the generated paths (default true). */
  paths?: boolean;
  /** task_seqno after OPEN, for a backend configured with one. */
  seqnoStart?: bigint;
}

export async function runAccelSuite(backend: AccelBackend, options: AccelSuiteOptions = {}): Promise<AccelSuiteReport> {
  if (backend.unsupported !== null) {
    return {
      backend: backend.name,
      results: [
        {
          id: 'accel',
          title: 'the accel task API of compress offload',
          rules: [...ACCEL_RULE_IDS],
          status: 'UNSUPPORTED',
          message: backend.unsupported,
        },
      ],
      coverage: CoverageCounter.unsupported(),
    };
  }
  const seed = options.seed ?? 1;
  const seqno = options.seqnoStart === undefined ? {} : { seqnoStart: options.seqnoStart };
  const coverage = new CoverageCounter();
  const results: AccelResult[] = [];

  if (options.paths ?? true) {
    const probe = await backend.open();
    const input = { caps: probe.info.caps, accepts: probe.info.accepts, ...seqno };
    await probe.dispose();
    for (const path of generatePaths(input)) {
      const id = `accel.path.${path.target.split(' ')[0]}`;
      const title = `the path for ${path.target} (${path.events.length} steps) agrees with the model`;
      const replay = encodeReplay({ backend: backend.name, seed, ...seqno, events: path.events });
      const device = await backend.open();
      const runner = new AccelRunner(device, { seed, ...seqno });
      try {
        const problem = await runner.run(path.events);
        const rules = [...runner.rules()];
        results.push(problem === null ? { id, title, rules, status: 'PASS' } : { id, title, rules, status: 'FAIL', replay, message: problem });
      } catch (e) {
        results.push({ id, title, rules: [...runner.rules()], status: 'ERROR', replay, message: String((e as Error).stack ?? e) });
      } finally {
        coverage.add(runner);
        await device.dispose();
      }
    }
  }

  const runs = options.runs ?? 200;
  if (runs > 0) {
    const seen = new Set<RuleId>();
    const title = `${runs} random command sequences (seed ${seed}) agree with the model`;
    try {
      const r = await runRandom(backend, {
        seed,
        runs,
        maxCommands: options.maxCommands ?? 40,
        ...seqno,
        collect: (runner) => {
          coverage.add(runner);
          for (const x of runner.rules()) seen.add(x);
        },
      });
      if (r.failed) {
        coverage.add(r.failed);
        for (const x of r.failed.rules()) seen.add(x);
      }
      const rules = [...seen];
      results.push(
        r.ok
          ? { id: 'accel.random', title, rules, status: 'PASS' }
          : { id: 'accel.random', title, rules, status: 'FAIL', ...(r.replay ? { replay: r.replay } : {}), message: r.message ?? '' },
      );
    } catch (e) {
      results.push({ id: 'accel.random', title, rules: [...seen], status: 'ERROR', message: String((e as Error).stack ?? e) });
    }
  }
  return { backend: backend.name, results, coverage: coverage.result() };
}
