// Runs accel events on the model and on a backend session side by side: compares every outcome,
// fills each task's input buffer before a START the model accepts, and checks every finished
// task's output against the oracle. Stops at the first disagreement.
import { TASK_FLAG } from '../../spec/abi/compress.ts';
import type { AccelDevice, AccelEvent, AccelOutcome } from '../../spec/accel-device.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import { compareOutcome } from './compare.ts';
import { AccelModel, type ModelStep } from './model.ts';
import { expectedOutput, inputPattern } from './oracle.ts';

export interface StepRecord {
  event: AccelEvent;
  model: ModelStep;
  got: AccelOutcome;
}

export interface RunnerOptions {
  /** Seeds the input data. */
  seed: number;
  /** task_seqno after OPEN, when the backend was configured with one. */
  seqnoStart?: bigint;
}

export interface StepFailure extends StepRecord {
  message: string;
}

export class AccelRunner {
  readonly model: AccelModel;
  /** The steps that agreed, in order. */
  readonly log: StepRecord[] = [];
  /** The step that did not, if any (then nothing more runs). */
  failure: StepFailure | null = null;
  private readonly fds = new Map<number, { input_fd: number; output_fd: number }>();
  private readonly input = new Map<number, Uint8Array>();
  private history: number[] | null = null;
  private starts = 0;

  constructor(
    private readonly device: AccelDevice,
    private readonly opts: RunnerOptions,
  ) {
    const input = { caps: device.info.caps, accepts: device.info.accepts };
    this.model = new AccelModel(opts.seqnoStart === undefined ? input : { ...input, seqnoStart: opts.seqnoStart });
  }

  /** Every rule the steps so far exercised (the failing one included). */
  rules(): Set<RuleId> {
    const r = new Set<RuleId>();
    for (const s of this.log) for (const x of s.model.rules) r.add(x);
    for (const x of this.failure?.model.rules ?? []) r.add(x);
    return r;
  }

  /** The events run so far (the failing one included). */
  events(): AccelEvent[] {
    return [...this.log.map((s) => s.event), ...(this.failure ? [this.failure.event] : [])];
  }

  /** Runs one event; returns the disagreement, or null. */
  async step(event: AccelEvent): Promise<string | null> {
    if (this.failure) return this.failure.message;
    const ms = this.model.step(event);
    const started = ms.taskSteps.find((s) => s.event === 'TASK_START' || s.event === 'TASK_RESTART');
    const filled = started ? await this.fillInput(started.uid, ms) : null;
    if (filled) return this.fail({ event, model: ms, got: { ok: true } }, filled);
    const got = await this.device.exec(event);
    const rec = { event, model: ms, got };
    const problem = compareOutcome(event, ms.outcome, got);
    if (problem) return this.fail(rec, problem);
    if ((event.type === 'OPEN' || event.type === 'SET_PARAMS') && ms.outcome.ok) this.history = null;
    const created = ms.taskSteps.find((s) => s.event === 'TASK_CREATE');
    if (created && got.ok && got.task) this.fds.set(created.uid, { input_fd: got.task.input_fd, output_fd: got.task.output_fd });
    const finished = ms.taskSteps.find((s) => s.event === 'TASK_FINISHED');
    const wrong = finished ? await this.checkOutput(finished.uid, ms) : null;
    if (wrong) return this.fail(rec, wrong);
    this.log.push(rec);
    return null;
  }

  /** Runs events until the first disagreement. */
  async run(events: readonly AccelEvent[]): Promise<string | null> {
    for (const e of events) {
      const p = await this.step(e);
      if (p) return p;
    }
    return null;
  }

  private fail(rec: StepRecord, message: string): string {
    this.failure = { ...rec, message: `step ${this.log.length + 1}: ${message}` };
    return this.failure.message;
  }

  private async fillInput(uid: number, ms: ModelStep): Promise<string | null> {
    const t = ms.context.tasks.find((x) => x.uid === uid)!;
    const fds = this.fds.get(uid);
    if (!fds) return `no descriptors known for the task started as seqno ${t.seqno}`;
    const data = inputPattern(this.opts.seed, this.starts++, t.inputBytes);
    const r = await this.device.exec({ type: 'DMABUF_WRITE', fd: fds.input_fd, offset: 0, data });
    if (!r.ok) return `DMABUF_WRITE to the input of seqno ${t.seqno} failed with ${r.errno}`;
    this.input.set(uid, data);
    return null;
  }

  private async checkOutput(uid: number, ms: ModelStep): Promise<string | null> {
    const t = ms.context.tasks.find((x) => x.uid === uid)!;
    const params = ms.context.params!;
    const input = this.input.get(uid)!.subarray(0, Number(t.input_size));
    const fresh = (t.flags & TASK_FLAG.NEW_STREAM) !== 0;
    const want = expectedOutput(params, input, fresh ? null : this.history);
    this.history = want.last;
    if (BigInt(want.bytes.length) !== t.output_size)
      return `model and oracle disagree on the output size of seqno ${t.seqno}: ${t.output_size} vs ${want.bytes.length}`;
    const r = await this.device.exec({ type: 'DMABUF_READ', fd: this.fds.get(uid)!.output_fd, offset: 0, bytes: want.bytes.length });
    if (!r.ok || !r.data) return `DMABUF_READ of the output of seqno ${t.seqno} failed`;
    const at = r.data.findIndex((b, i) => b !== want.bytes[i]);
    if (at >= 0)
      return `TASK_FINISHED: the output of seqno ${t.seqno} differs from the oracle at byte ${at} ` +
        `(got ${Buffer.from(r.data.subarray(at & ~3, (at & ~3) + 8)).toString('hex')}, ` +
        `want ${Buffer.from(want.bytes.subarray(at & ~3, (at & ~3) + 8)).toString('hex')})`;
    return null;
  }
}
