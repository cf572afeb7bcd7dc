// Random command sequences, model against backend, with fast-check's shrinking. Each sequence
// starts with a random but valid setup of every file (open, realistic hw and sw parameters,
// prepare), so the random commands after it act on running streams with realistic pointer values.
import fc from 'fast-check';
import type { StreamDir } from '../spec/abi/states.ts';
import type { Command, HwCaps, MemoryInfo, PcmBackend } from '../spec/device.ts';
import type { KernelVersion } from '../machines/pcm/context.ts';
import { stringify } from './codec.ts';
import { commandArbitrary, REAL_TIME_PERIODS } from './generators.ts';
import { Model } from './model.ts';
import { runSequence, type RunResult } from './session.ts';

export interface RandomOptions {
  backend: PcmBackend;
  caps: Partial<Record<StreamDir, HwCaps>>;
  kernel: KernelVersion;
  memory?: MemoryInfo;
  files: 1 | 2;
  seed: number;
  runs: number;
  maxCommands: number;
  /** fast-check's counterexample path, to replay one shrunk case. */
  path?: string;
  /** The device runs in real time: geometries it keeps up with, and a bounded shrink (each
   * attempt is a run on the device: past `shrinkRuns` attempts the smallest failure so far stands). */
  realTime?: boolean;
  shrinkRuns?: number;
}

export interface RandomOutcome {
  status: 'PASS' | 'FAIL' | 'ERROR';
  runs: number;
  seed: number;
  /** Every passing sequence, merged: what the random runs exercised. */
  covered: RunResult;
  /** The shrunk failing sequence and what happened on it. */
  failure?: { commands: Command[]; path: string; result: RunResult; message: string };
}

function prelude(caps: Partial<Record<StreamDir, HwCaps>>, files: 1 | 2, realTime: boolean): fc.Arbitrary<Command[]> {
  const dirs = (['PLAYBACK', 'CAPTURE'] as const).filter((d) => caps[d]);
  const setup = (fd: number, dir: StreamDir) => {
    const c = caps[dir]!;
    const access = c.info.includes('MMAP') ? fc.constantFrom('RW_INTERLEAVED', 'RW_INTERLEAVED', 'MMAP_INTERLEAVED' as const) : fc.constant('RW_INTERLEAVED' as const);
    return fc
      .record({
        nonblock: fc.boolean(),
        access,
        period: realTime ? fc.constantFrom(...REAL_TIME_PERIODS) : fc.constantFrom(64, 256, 1024, 4096),
        periods: fc.constantFrom(2, 4),
        start: fc.constantFrom('one', 'one', 'one', 'period', 'full', 'never'),
        stop: fc.constantFrom('full', 'full', 'full', 'boundary', 'double'),
        go: fc.boolean(),
        availMin: fc.constantFrom('period', 'one'),
      })
      .map((r): Command[] => {
        const buffer = BigInt(r.period * r.periods);
        const period = BigInt(r.period);
        const start = { one: 1n, period, full: buffer, never: 1n << 62n }[r.start as 'one'];
        const stop = { full: buffer, boundary: 1n << 62n, double: 2n * buffer }[r.stop as 'full'];
        return [
          { type: 'OPEN', fd, stream: dir, nonblock: r.nonblock },
          { type: 'HW_PARAMS', fd, params: { access: r.access, format: 'S16_LE', channels: 2, rate: 48000, period_size: r.period, periods: r.periods } },
          { type: 'SW_PARAMS', fd, params: { avail_min: r.availMin === 'one' ? 1n : period, start_threshold: start, stop_threshold: stop, silence_threshold: 0n, silence_size: 0n } },
          { type: 'PREPARE', fd },
          ...(r.go && dir === 'PLAYBACK' ? [{ type: 'WRITEI', fd, frames: r.period * r.periods } as const] : []),
          ...(r.go ? [{ type: 'START', fd } as const] : []),
        ];
      });
  };
  const slots = Array.from({ length: files }, (_, fd) => setup(fd, dirs[fd % dirs.length]!));
  return fc.tuple(...slots).map((parts) => parts.flat());
}

export function sequenceArbitrary(caps: Partial<Record<StreamDir, HwCaps>>, files: 1 | 2, maxCommands: number, realTime = false): fc.Arbitrary<Command[]> {
  return fc
    .tuple(prelude(caps, files, realTime), fc.array(commandArbitrary(caps, files, realTime), { minLength: 1, maxLength: maxCommands }))
    .map(([setup, body]) => [...setup, ...body]);
}

export async function randomRun(opts: RandomOptions): Promise<RandomOutcome> {
  let lastFailure: { commands: Command[]; result: RunResult } | undefined;
  const covered: RunResult = {
    status: 'PASS', steps: [], rules: new Set(), passedRules: new Set(), failedRules: new Set(), edges: [], transitions: [], states: [],
  };
  let shrinkLeft = opts.shrinkRuns ?? Infinity;
  const property = fc.asyncProperty(sequenceArbitrary(opts.caps, opts.files, opts.maxCommands, opts.realTime), async (commands) => {
    if (lastFailure && shrinkLeft-- <= 0) return true; // out of shrink budget: the last failure stands
    const device = await opts.backend.open();
    try {
      const result = await runSequence(new Model({ caps: opts.caps, kernel: opts.kernel, files: opts.files, ...(opts.memory ? { memory: opts.memory } : {}) }), device, commands);
      if (result.status === 'FAIL' || result.status === 'ERROR') {
        lastFailure = { commands, result };
        return false;
      }
      for (const r of result.rules) covered.rules.add(r), covered.passedRules.add(r);
      covered.edges.push(...result.edges);
      covered.transitions.push(...result.transitions);
      covered.states.push(...result.states);
      return true;
    } finally {
      await device.dispose();
    }
  });
  const details = await fc.check(property, {
    seed: opts.seed,
    numRuns: opts.path ? 1 : opts.runs,
    ...(opts.path ? { path: opts.path } : {}),
  });
  if (!details.failed) return { status: 'PASS', runs: details.numRuns, seed: opts.seed, covered };
  const [commands] = details.counterexample ?? [[]];
  // The property ran the shrunk case last, so lastFailure is that run.
  const result = lastFailure!.result;
  return {
    status: result.status === 'ERROR' ? 'ERROR' : 'FAIL',
    runs: details.numRuns,
    seed: opts.seed,
    covered,
    failure: { commands: commands as Command[], path: details.counterexamplePath ?? '', result, message: result.message ?? 'failed' },
  };
}

/** The shrunk commands as one replayable argument. */
export const commandsArg = (commands: readonly Command[]) => `'${stringify(commands).replace(/'/g, "'\\''")}'`;
