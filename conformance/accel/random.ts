// Random command sequences (fast-check model-based testing): after OPEN and a valid SET_PARAMS,
// a run of commands weighted towards the task ioctls and the accelerator finishing tasks. Seqnos
// and input sizes are picked when a command runs, from the model's task table and parameters, so
// that most commands name real tasks; the replay line records the concrete events. Each run uses a fresh session and compares
// every step with the model (./runner.ts). A failure is shrunk and returned as a one-line replay.
import fc from 'fast-check';
import { STREAMING_IOCTLS, TASK_FLAG, POLL } from '../../spec/abi/compress.ts';
import { FORMATS } from '../../spec/abi/params.ts';
import type { AccelBackend, AccelDeviceInfo, AccelEvent, AccelParams, TaskArg } from '../../spec/accel-device.ts';
import { show } from './format.ts';
import { encodeReplay } from './replay.ts';
import { AccelRunner } from './runner.ts';

export interface RandomOptions {
  seed: number;
  runs: number;
  maxCommands: number;
  seqnoStart?: bigint;
  /** Called with each run's runner when the run is over (for coverage). */
  collect?: (runner: AccelRunner) => void;
}

export interface RandomReport {
  ok: boolean;
  runs: number;
  message: string | null;
  /** The shrunk failing sequence, replayable with replayAccel(). */
  replay: string | null;
  /** The failing run's runner, re-run on the shrunk sequence. */
  failed: AccelRunner | null;
}

/** Parameters the device accepts, drawn from what it declares. */
export function validParams(info: AccelDeviceInfo): fc.Arbitrary<AccelParams> {
  const a = info.accepts;
  return fc
    .record({
      ch: fc.integer({ min: a.channels.min, max: a.channels.max }),
      fmt: fc.constantFrom(...a.formats_out),
      rate: fc.constantFrom(...a.rates),
      ratio: fc.constantFrom(...a.ratios),
      frames: fc.integer({ min: 1, max: 6 }),
      fragments: fc.integer({ min: 1, max: 8 }),
    })
    .map(({ ch, fmt, rate, ratio, frames, fragments }) => ({
      fragment_size: frames * 2 * ch,
      fragments,
      codec: {
        id: a.codec,
        ch_in: ch,
        ch_out: ch,
        sample_rate: rate,
        format: a.formats_in[0] ?? FORMATS.S16_LE.value,
        pcm_format: fmt,
        out_sample_rate: rate * ratio,
      },
    }));
}

/** Valid parameters, or valid ones broken in one way. */
function anyParams(info: AccelDeviceInfo): fc.Arbitrary<AccelParams> {
  const breaks: Array<(p: AccelParams) => AccelParams> = [
    (p) => p,
    (p) => ({ ...p, fragment_size: 0 }),
    (p) => ({ ...p, fragments: 0 }),
    (p) => ({ ...p, fragments: 65 }),
    (p) => ({ ...p, fragment_size: p.fragment_size + 1 }),
    (p) => ({ ...p, codec: { ...p.codec, id: 18 } }),
    (p) => ({ ...p, codec: { ...p.codec, ch_out: 0 } }),
    (p) => ({ ...p, codec: { ...p.codec, pcm_format: FORMATS.S32_LE.value } }),
    (p) => ({ ...p, codec: { ...p.codec, out_sample_rate: p.codec.sample_rate * 3 } }),
  ];
  return fc.tuple(validParams(info), fc.nat({ max: breaks.length * 2 })).map(([p, i]) => (breaks[i] ?? breaks[0]!)(p));
}

/** A seqno chosen when the command runs: one of the model's tasks, 0, one naming nothing, or raw. */
type SeqnoPick = { task: number } | 'zero' | 'unknown' | { raw: bigint };
const seqnoPick: fc.Arbitrary<SeqnoPick> = fc.oneof(
  { weight: 8, arbitrary: fc.nat({ max: 7 }).map((task) => ({ task })) },
  { weight: 1, arbitrary: fc.constant('zero' as const) },
  { weight: 1, arbitrary: fc.constant('unknown' as const) },
  { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: 9n }).map((raw) => ({ raw })) },
);

/** An input size chosen when the command runs: whole frames of the current parameters, or raw bytes. */
type SizePick = { frames: number } | 'full' | { raw: bigint };
const sizePick: fc.Arbitrary<SizePick> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 3 }).map((frames) => ({ frames })) },
  { weight: 3, arbitrary: fc.constant('full' as const) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 8 }).map((frames) => ({ frames })) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 50n }).map((raw) => ({ raw })) },
);

function resolveSeqno(p: SeqnoPick, r: AccelRunner): bigint {
  const c = r.model.context;
  if (p === 'zero') return 0n;
  if (p === 'unknown') return c.taskSeqno + 1n;
  if ('raw' in p) return p.raw;
  return c.tasks.length > 0 ? c.tasks[p.task % c.tasks.length]!.seqno : BigInt(p.task + 1);
}

function resolveSize(p: SizePick, r: AccelRunner): bigint {
  const params = r.model.context.params;
  if (p === 'full') return BigInt(params?.fragment_size ?? 8);
  if ('raw' in p) return p.raw;
  return BigInt(p.frames * 2 * (params?.codec.ch_in || 1));
}

/** A command: a fixed event, or one built from the model's state when it runs. */
type Template = AccelEvent | ((r: AccelRunner) => AccelEvent);

function templates(info: AccelDeviceInfo): fc.Arbitrary<{ make: Template; text: string }> {
  const fixed = (e: AccelEvent) => ({ make: e, text: show(e) });
  const task = (a: Partial<TaskArg>): TaskArg => ({ seqno: 0n, origin_seqno: 0n, input_size: 0n, flags: 0, ...a });
  const start = fc
    .record({
      pick: seqnoPick,
      restart: fc.boolean(),
      size: sizePick,
      flags: fc.constantFrom(0, 0, TASK_FLAG.NEW_STREAM),
    })
    .map(({ pick, restart, size, flags }) => ({
      make: (r: AccelRunner): AccelEvent => {
        const s = resolveSeqno(pick, r);
        const input_size = resolveSize(size, r);
        return { type: 'TASK_START', task: restart ? task({ seqno: 99n, origin_seqno: s, input_size, flags }) : task({ seqno: s, input_size, flags }) };
      },
      text: `TASK_START(${show({ pick, restart, size, flags })})`,
    }));
  const bySeqno = (type: 'TASK_STOP' | 'TASK_FREE' | 'TASK_STATUS') =>
    seqnoPick.map((pick) => ({
      make: (r: AccelRunner): AccelEvent =>
        type === 'TASK_STATUS' ? { type, seqno: resolveSeqno(pick, r), output_flags: 7 } : { type, seqno: resolveSeqno(pick, r) },
      text: `${type}(${show(pick)})`,
    }));
  const misc = fc.constantFrom<AccelEvent>(
    { type: 'IOCTL_VERSION' },
    { type: 'GET_CAPS' },
    { type: 'GET_PARAMS' },
    { type: 'GET_METADATA', key: 1 },
    { type: 'READ', bytes: 16 },
    { type: 'WRITE', bytes: 16 },
    { type: 'MMAP', bytes: 4096 },
    ...STREAMING_IOCTLS.map((type) => ({ type }) as AccelEvent),
  );
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .oneof({ weight: 8, arbitrary: fc.constant(task({})) }, { weight: 1, arbitrary: fc.constantFrom(task({ origin_seqno: 1n }), task({ input_size: 2n })) })
        .map((t) => fixed({ type: 'TASK_CREATE', task: t })),
    },
    { weight: 8, arbitrary: start },
    { weight: 7, arbitrary: fc.constant(fixed({ type: 'TASK_FINISHED' })) },
    { weight: 2, arbitrary: bySeqno('TASK_STOP') },
    { weight: 2, arbitrary: bySeqno('TASK_FREE') },
    { weight: 3, arbitrary: bySeqno('TASK_STATUS') },
    { weight: 3, arbitrary: fc.constantFrom<AccelEvent>({ type: 'POLL' }, { type: 'POLL', events: POLL.IN }, { type: 'POLL', events: POLL.OUT }).map(fixed) },
    { weight: 1, arbitrary: fc.constantFrom<AccelEvent>({ type: 'CLOSE' }, { type: 'OPEN', mode: 'O_RDWR' }, { type: 'OPEN', mode: 'O_WRONLY' }).map(fixed) },
    { weight: 1, arbitrary: anyParams(info).map((params) => fixed({ type: 'SET_PARAMS', params })) },
    { weight: 1, arbitrary: misc.map(fixed) },
  );
}

class AccelCommand implements fc.AsyncCommand<object, AccelRunner> {
  constructor(
    private readonly make: Template,
    private readonly text: string,
  ) {}
  check(): boolean {
    return true;
  }
  event(r: AccelRunner): AccelEvent {
    return typeof this.make === 'function' ? this.make(r) : this.make;
  }
  async run(_: object, runner: AccelRunner): Promise<void> {
    const p = await runner.step(this.event(runner));
    if (p) throw new Error(p);
  }
  toString(): string {
    return this.text;
  }
}

export async function runRandom(backend: AccelBackend, opts: RandomOptions): Promise<RandomReport> {
  const probe = await backend.open();
  const info = probe.info;
  await probe.dispose();
  const runnerOpts = opts.seqnoStart === undefined ? { seed: opts.seed } : { seed: opts.seed, seqnoStart: opts.seqnoStart };
  const prefix = (p: AccelParams): AccelEvent[] => [{ type: 'OPEN', mode: 'O_RDWR' }, { type: 'SET_PARAMS', params: p }];
  let failing = false;
  const property = fc.asyncProperty(
    validParams(info),
    fc.commands([templates(info).map((t) => new AccelCommand(t.make, t.text))], { maxCommands: opts.maxCommands, size: 'max' }),
    async (params, cmds) => {
      const device = await backend.open();
      const runner = new AccelRunner(device, runnerOpts);
      try {
        const p = await runner.run(prefix(params));
        if (p) throw new Error(p);
        await fc.asyncModelRun(() => ({ model: {}, real: runner }), cmds);
      } finally {
        if (!failing && !runner.failure) opts.collect?.(runner);
        if (runner.failure) failing = true;
        await device.dispose();
      }
    },
  );
  const details = await fc.check(property, { seed: opts.seed, numRuns: opts.runs });
  if (!details.failed) return { ok: true, runs: details.numRuns, message: null, replay: null, failed: null };
  // Re-run the shrunk counterexample, to cut it at the failing step and to report its coverage.
  const [params, cmds] = details.counterexample ?? [];
  const device = await backend.open();
  const runner = new AccelRunner(device, runnerOpts);
  let message: string | null = null;
  try {
    if (params) message = await runner.run(prefix(params));
    for (const c of cmds ?? []) {
      if (message) break;
      // the iterable yields fast-check's wrappers around our commands
      const cmd = (c as unknown as { cmd?: AccelCommand }).cmd ?? (c as AccelCommand);
      message = await runner.step(cmd.event(runner));
    }
  } catch (e) {
    message = `backend error: ${(e as Error).message}`;
  } finally {
    await device.dispose();
  }
  message ??= String(details.errorInstance ?? 'the property failed');
  const replay = encodeReplay({
    backend: backend.name,
    seed: opts.seed,
    ...(opts.seqnoStart === undefined ? {} : { seqnoStart: opts.seqnoStart }),
    events: runner.events(),
  });
  return {
    ok: false,
    runs: details.numRuns,
    message: `${message} (fast-check seed ${details.seed}, path ${details.counterexamplePath ?? ''})`,
    replay,
    failed: runner,
  };
}
