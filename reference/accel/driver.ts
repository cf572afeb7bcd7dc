// The reference accelerator's driver: the snd_compr_ops an accel driver provides (open, free,
// set_params, get_caps, task_create/start/stop/free) and the device itself, a converter with a
// run queue that completes one task at a time (spec/accel/device.md). Errors are errno names;
// null means 0.
import { TASK_FLAG } from '../../spec/abi/compress.ts';
import type { Errno } from '../../spec/abi/errno.ts';
import { FORMATS } from '../../spec/abi/params.ts';
import type { AccelCaps, AccelParams } from '../../spec/accel-device.ts';
import type { ConvertJob, Engine } from './engine.ts';
import type { AccelFault } from './faults.ts';
import { MAX_FRAGMENT_SIZE, RATES, REFERENCE_CAPS } from './info.ts';
import type { DmaBuf, TaskRuntime } from './runtime.ts';
import type { ConvertResult, ConvertSpec } from './transform.ts';

export interface DriverOptions {
  /** Tasks run by themselves (true) or only when the device event TASK_FINISHED says so. */
  realTime: boolean;
  engine: Engine;
  fault: AccelFault | null;
}

interface Setup {
  spec: ConvertSpec;
  inFrame: number;
  outBufferBytes: number;
  fragmentSize: number;
}

export class ReferenceAccelDriver {
  private opened = false;
  private setup: Setup | null = null;
  /** The run queue, oldest START first. */
  private queue: TaskRuntime[] = [];
  /** The last input frame converted, or null at a stream start. */
  private history: number[] | null = null;
  private converting: TaskRuntime | null = null;
  /** Counts each task's STARTs, so that a conversion begun before a restart is not applied. */
  private starts = new WeakMap<TaskRuntime, number>();
  private finished: (t: TaskRuntime) => void = () => {};
  private completionWaiters: Array<(t: TaskRuntime) => void> = [];

  constructor(private readonly opts: DriverOptions) {}

  /** ops->open: one conversion context (`accel.device.one-stream`). */
  open(finished: (t: TaskRuntime) => void): Errno | null {
    if (this.opened) return 'EBUSY';
    this.opened = true;
    this.finished = finished;
    return null;
  }

  /** ops->free. */
  free(): void {
    this.opened = false;
    this.setup = null;
    this.queue = [];
    this.history = null;
    this.converting = null;
    this.finished = () => {};
  }

  /** ops->get_caps (`accel.device.caps`). */
  get_caps(): AccelCaps {
    return { ...REFERENCE_CAPS, codecs: [...REFERENCE_CAPS.codecs] };
  }

  /** ops->set_params (`accel.device.set-params`), after fsl_asrc_m2m_comp_set_params(). */
  set_params(p: AccelParams): Errno | null {
    const c = p.codec;
    if (c.id !== 1) return 'EINVAL';
    if (c.format !== FORMATS.S16_LE.value) return 'EINVAL';
    const outFormat = c.pcm_format === FORMATS.S16_LE.value ? 'S16_LE' : c.pcm_format === FORMATS.FLOAT_LE.value ? 'FLOAT_LE' : null;
    if (outFormat === null) return 'EINVAL';
    if (!(RATES as readonly number[]).includes(c.sample_rate)) return 'EINVAL';
    const ratio = c.out_sample_rate === c.sample_rate ? 1 : c.out_sample_rate === 2 * c.sample_rate ? 2 : 0;
    if (ratio === 0) return 'EINVAL';
    if (c.ch_in !== c.ch_out || c.ch_in < 1 || c.ch_in > 2) return 'EINVAL';
    const inFrame = 2 * c.ch_in;
    if (p.fragment_size % inFrame !== 0 || p.fragment_size > MAX_FRAGMENT_SIZE) return 'EINVAL';
    const outFrame = (outFormat === 'S16_LE' ? 2 : 4) * c.ch_out;
    this.setup = {
      spec: { channels: c.ch_in, outFormat, ratio },
      inFrame,
      outBufferBytes: (p.fragment_size / inFrame) * ratio * outFrame,
      fragmentSize: p.fragment_size,
    };
    this.history = null;
    return null;
  }

  /** ops->task_create (`accel.device.buffers`): two zero-filled shareable buffers. */
  task_create(t: TaskRuntime): Errno | null {
    const s = this.setup!;
    const buf = (size: number): DmaBuf => ({ sab: new SharedArrayBuffer(size), size });
    t.input = buf(s.fragmentSize);
    t.output = buf(s.outBufferBytes);
    return null;
  }

  /** ops->task_start (`accel.device.task-start`): whole frames only; queue at the tail. */
  task_start(t: TaskRuntime): Errno | null {
    const frame = BigInt(this.setup!.inFrame);
    this.unqueue(t);
    if (t.input_size === 0n || t.input_size % frame !== 0n) return 'EINVAL';
    this.queue.push(t);
    this.starts.set(t, (this.starts.get(t) ?? 0) + 1);
    if (this.opts.realTime) this.kick();
    return null;
  }

  /** ops->task_stop. */
  task_stop(t: TaskRuntime): void {
    this.unqueue(t);
  }

  /** ops->task_free. */
  task_free(t: TaskRuntime): void {
    this.unqueue(t);
  }

  /**
   * The device event TASK_FINISHED (`accel.device.run`): on the virtual clock, converts the head
   * of the run queue now; in real time, waits for the next task the device completes by itself.
   */
  run(): TaskRuntime | null | Promise<TaskRuntime | null> {
    if (this.queue.length === 0) return null;
    if (this.opts.realTime) return new Promise((resolve) => this.completionWaiters.push(resolve));
    const t = this.next();
    const r = this.opts.engine.run(this.job(t));
    if (r instanceof Promise) return r.then((res) => this.complete(t, res));
    return this.complete(t, r);
  }

  private next(): TaskRuntime {
    return this.opts.fault === 'lifo' ? this.queue[this.queue.length - 1]! : this.queue[0]!;
  }

  private unqueue(t: TaskRuntime): void {
    this.queue = this.queue.filter((x) => x !== t);
  }

  private job(t: TaskRuntime): ConvertJob {
    const newStream = (t.flags & TASK_FLAG.NEW_STREAM) !== 0 && this.opts.fault !== 'new-stream-ignored';
    return {
      spec: this.setup!.spec,
      input: t.input!.sab,
      inputSize: Number(t.input_size),
      output: t.output!.sab,
      history: newStream ? null : this.history,
      floatScale: this.opts.fault === 'float-scale' ? 32767 : 32768,
    };
  }

  private complete(t: TaskRuntime, r: ConvertResult): TaskRuntime {
    this.unqueue(t);
    t.output_size = BigInt(r.outputSize);
    this.history = r.history;
    this.finished(t);
    const waiters = this.completionWaiters;
    this.completionWaiters = [];
    for (const w of waiters) w(t);
    return t;
  }

  /** Real time: start converting the head of the queue when idle. */
  private kick(): void {
    if (this.converting !== null || this.queue.length === 0) return;
    const t = this.next();
    this.converting = t;
    const opened = this.finished;
    const start = this.starts.get(t);
    Promise.resolve(this.opts.engine.run(this.job(t))).then((r) => {
      if (this.converting !== t || this.finished !== opened) return; // closed meanwhile
      this.converting = null;
      // stopped, freed or restarted meanwhile: this conversion is dropped
      if (this.queue.includes(t) && this.starts.get(t) === start) this.complete(t, r);
      this.kick();
    });
  }
}
