// The reference compress core, accel part: an implementation of sound/core/compress_offload.c
// (Linux 7.2, CONFIG_SND_COMPRESS_ACCEL) for one open stream file, written after the kernel's
// functions and named like them. Refusals carry the rule that requires them.
import { ACCEL_MAX_FRAGMENTS, AUDIOCODEC, COMPRESS_VERSION, POLL, pollReport } from '../../spec/abi/compress.ts';
import type { Errno } from '../../spec/abi/errno.ts';
import type { AccelErr, AccelOutcome, AccelParams, OpenMode, StreamCommand, TaskArg } from '../../spec/accel-device.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import type { ReferenceAccelDriver } from './driver.ts';
import type { AccelFault } from './faults.ts';
import type { CompressRuntime, DmaBuf, TaskRuntime } from './runtime.ts';

const refuse = (errno: Errno, rule: RuleId): AccelErr => ({ ok: false, errno, rule });
const U64 = (1n << 64n) - 1n;

/** The process side of TASK_CREATE: get_unused_fd_flags() + fd_install(). */
export interface FdTable {
  install(buf: DmaBuf): number;
}

export interface CoreOptions {
  fault: AccelFault | null;
  /** task_seqno after open (0 in the kernel); tests of the wrap start near 2^64. */
  seqnoStart: bigint;
  /** Whether poll(2) with a timeout may wait (the device runs in real time). */
  realTime: boolean;
}

/** `snd_compr_open()`: the access mode picks the direction; only O_RDWR is accel. */
export function snd_compr_open(
  driver: ReferenceAccelDriver,
  mode: OpenMode,
  fds: FdTable,
  opts: CoreOptions,
): { ok: true; stream: AccelStream } | AccelErr {
  if (mode !== 'O_RDWR') return refuse('EINVAL', 'accel.open.direction');
  const stream = new AccelStream(driver, fds, opts);
  const err = driver.open((t) => stream.snd_compr_task_finished(t));
  if (err) return refuse(err, 'accel.device.one-stream');
  return { ok: true, stream };
}

/** struct snd_compr_stream of an accel file, with its runtime. */
export class AccelStream {
  readonly runtime: CompressRuntime;
  private sleepers = new Set<() => void>();

  constructor(
    private readonly driver: ReferenceAccelDriver,
    private readonly fds: FdTable,
    private readonly opts: CoreOptions,
  ) {
    this.runtime = {
      state: 'OPEN',
      fragment_size: 0,
      fragments: 0,
      active_tasks: 0,
      total_tasks: 0,
      task_seqno: opts.seqnoStart,
      tasks: [],
    };
  }

  /** `snd_compr_free()`. */
  release(): void {
    this.snd_compr_task_free_all();
    this.driver.free();
    this.wake();
  }

  /** `snd_compr_ioctl()`: the shared ioctls first, then the accel ones, else ENOTTY. */
  ioctl(cmd: StreamCommand): AccelOutcome {
    switch (cmd.type) {
      case 'IOCTL_VERSION':
        return { ok: true, version: COMPRESS_VERSION['7.2'] };
      case 'GET_CAPS':
        return { ok: true, caps: this.driver.get_caps() };
      case 'SET_PARAMS':
        return this.snd_compr_set_params(cmd.params);
      case 'GET_PARAMS':
        return refuse('EBADFD', 'accel.get-params.no-driver-op'); // no ops->get_params
      case 'SET_METADATA':
      case 'GET_METADATA':
        return refuse('ENXIO', 'accel.metadata.no-driver-op'); // no ops->set/get_metadata
    }
    switch (cmd.type) {
      case 'TASK_CREATE':
        return this.snd_compr_task_create(cmd.task);
      case 'TASK_FREE':
        return this.snd_compr_task_seq(cmd.seqno, (t) => this.snd_compr_task_free_one(t), 'accel.task-free.unknown');
      case 'TASK_START':
        return this.snd_compr_task_start_ioctl(cmd.task);
      case 'TASK_STOP':
        if (cmd.seqno === 0n && this.opts.fault === 'stop-all-refused' && this.runtime.state === 'SETUP')
          return refuse('EINVAL', 'accel.task-stop.unknown');
        return this.snd_compr_task_seq(cmd.seqno, (t) => this.snd_compr_task_stop_one(t), 'accel.task-stop.unknown');
      case 'TASK_STATUS':
        return this.snd_compr_task_status_ioctl(cmd.seqno, cmd.output_flags ?? 0);
    }
    return refuse('ENOTTY', 'accel.streaming.refused');
  }

  /** `snd_compr_read()` / `snd_compr_write()`: refused for accel before anything else. */
  readWrite(): AccelOutcome {
    return refuse('EBADFD', 'accel.read-write.refused');
  }

  /** `snd_compr_mmap()`. */
  mmap(): AccelOutcome {
    return refuse('ENXIO', 'accel.mmap.refused');
  }

  /** `snd_compr_poll()`: what is ready now. */
  revents(): number {
    const rt = this.runtime;
    if (rt.state === 'OPEN') return POLL.IN | POLL.RDNORM | POLL.ERR;
    let r = 0;
    if (rt.fragments > rt.active_tasks) r |= POLL.OUT | POLL.WRNORM;
    const finished =
      this.opts.fault === 'poll-any-finished'
        ? rt.tasks.some((t) => t.state === 'FINISHED')
        : rt.tasks[0]?.state === 'FINISHED';
    if (finished) r |= POLL.IN | POLL.RDNORM;
    return r;
  }

  /** poll(2): with a timeout and a device that runs by itself, waits for a wake-up. */
  poll(events: number | undefined, timeout: number | undefined): AccelOutcome | Promise<AccelOutcome> {
    const now = pollReport(this.revents(), events);
    if (now !== 0 || !timeout || !this.opts.realTime) return { ok: true, revents: now };
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.sleepers.delete(woken);
        resolve({ ok: true, revents: pollReport(this.revents(), events) });
      };
      // like poll(2): a wake-up with nothing requested ready goes back to sleep
      const woken = () => {
        if (pollReport(this.revents(), events) !== 0) finish();
      };
      const timer = setTimeout(finish, timeout);
      this.sleepers.add(woken);
    });
  }

  private wake(): void {
    for (const s of [...this.sleepers]) s();
  }

  /** `snd_compr_set_params()` with `snd_compress_check_input()` and `snd_compr_allocate_buffer()`. */
  private snd_compr_set_params(p: AccelParams): AccelOutcome {
    const rt = this.runtime;
    if (rt.state !== 'OPEN') return refuse('EPERM', 'accel.set-params.bad-state');
    if (p.fragment_size === 0) return refuse('EINVAL', 'accel.set-params.fragment-size');
    if (p.fragments > ACCEL_MAX_FRAGMENTS || p.fragments === 0) return refuse('EINVAL', 'accel.set-params.fragments');
    if (p.codec.id === 0 || p.codec.id > AUDIOCODEC.MAX) return refuse('EINVAL', 'accel.set-params.codec');
    if (p.codec.ch_in === 0 || p.codec.ch_out === 0) return refuse('EINVAL', 'accel.set-params.codec');
    rt.fragment_size = p.fragment_size; // snd_compr_allocate_buffer(): no ring buffer for accel
    rt.fragments = p.fragments;
    const err = this.driver.set_params(p);
    if (err) return refuse(err, 'accel.device.set-params');
    rt.state = 'SETUP';
    return { ok: true };
  }

  private snd_compr_find_task(seqno: bigint): TaskRuntime | null {
    return this.runtime.tasks.find((t) => t.seqno === seqno) ?? null;
  }

  /** `snd_compr_seqno_next()`. */
  private snd_compr_seqno_next(): bigint {
    let s = (this.runtime.task_seqno + 1n) & U64;
    if (s === 0n) s = 1n;
    this.runtime.task_seqno = s;
    return s;
  }

  private list_move_tail(t: TaskRuntime): void {
    const l = this.runtime.tasks;
    l.splice(l.indexOf(t), 1);
    l.push(t);
  }

  /** `snd_compr_task_create()` + `snd_compr_task_new()`. */
  private snd_compr_task_create(u: TaskArg): AccelOutcome {
    const rt = this.runtime;
    if (rt.state !== 'SETUP') return refuse('EPERM', 'accel.task.not-setup');
    const limit = this.opts.fault === 'fragments-plus-one' ? rt.fragments + 1 : rt.fragments;
    if (rt.total_tasks >= limit) return refuse('EBUSY', 'accel.task-create.busy');
    if (u.origin_seqno !== 0n || u.input_size !== 0n) return refuse('EINVAL', 'accel.task-create.invalid');
    const task: TaskRuntime = {
      input: null,
      output: null,
      seqno: this.snd_compr_seqno_next(),
      input_size: u.input_size,
      output_size: 0n,
      flags: 0,
      state: 'IDLE',
    };
    const err = this.driver.task_create(task);
    if (err) return refuse(err, 'accel.device.buffers');
    const input_fd = this.fds.install(task.input!);
    const output_fd = this.fds.install(task.output!);
    rt.tasks.push(task);
    rt.total_tasks++;
    return {
      ok: true,
      task: { ...u, seqno: task.seqno, input_fd, output_fd },
      buffers: { input: task.input!.sab, output: task.output!.sab },
    };
  }

  /** `snd_compr_task_start_prepare()`. */
  private snd_compr_task_start_prepare(task: TaskRuntime | null, u: TaskArg): AccelErr | null {
    if (task === null) return refuse('EINVAL', 'accel.task-start.unknown');
    if (task.state === 'FINISHED' && this.opts.fault !== 'restart-finished')
      return refuse('EBUSY', 'accel.task-start.finished');
    if (u.input_size > BigInt(task.input!.size)) return refuse('EINVAL', 'accel.task-start.input-size');
    task.flags = u.flags;
    task.input_size = u.input_size;
    task.state = 'IDLE';
    return null;
  }

  /** `snd_compr_task_start_ioctl()` + `snd_compr_task_start()`. */
  private snd_compr_task_start_ioctl(arg: TaskArg): AccelOutcome {
    const rt = this.runtime;
    if (rt.state !== 'SETUP') return refuse('EPERM', 'accel.task.not-setup');
    const u = { ...arg };
    let task: TaskRuntime | null;
    if (u.origin_seqno > 0n) {
      task = this.snd_compr_find_task(u.origin_seqno);
      const err = this.snd_compr_task_start_prepare(task, u);
      if (err) return err;
      task!.seqno = u.seqno = this.snd_compr_seqno_next();
      u.origin_seqno = 0n;
      this.list_move_tail(task!);
    } else {
      task = this.snd_compr_find_task(u.seqno);
      if (task && task.state !== 'IDLE') return refuse('EBUSY', 'accel.task-start.not-idle');
      const err = this.snd_compr_task_start_prepare(task, u);
      if (err) return err;
      if (this.opts.fault === 'fresh-start-new-seqno') task!.seqno = u.seqno = this.snd_compr_seqno_next();
    }
    const err = this.driver.task_start(task!);
    if (err) return refuse(err, 'accel.task-start.driver-error'); // the struct is not copied back
    task!.state = 'ACTIVE';
    rt.active_tasks++;
    return { ok: true, task: { ...u, input_fd: -1, output_fd: -1 } };
  }

  /** `snd_compr_task_stop_one()`. */
  private snd_compr_task_stop_one(task: TaskRuntime): void {
    if (task.state !== 'ACTIVE') return;
    this.driver.task_stop(task);
    if (this.runtime.active_tasks > 0) this.runtime.active_tasks--;
    this.list_move_tail(task);
    task.state = 'IDLE';
  }

  /** `snd_compr_task_free_one()`. */
  private snd_compr_task_free_one(task: TaskRuntime): void {
    this.snd_compr_task_stop_one(task);
    this.driver.task_free(task);
    const l = this.runtime.tasks;
    l.splice(l.indexOf(task), 1);
    this.runtime.total_tasks--;
  }

  /** `snd_compr_task_free_all()`: list_for_each_entry_safe_reverse. */
  private snd_compr_task_free_all(): void {
    for (const t of [...this.runtime.tasks].reverse()) this.snd_compr_task_free_one(t);
  }

  /** `snd_compr_task_seq()`: one task by seqno, or every task for seqno 0. */
  private snd_compr_task_seq(seqno: bigint, fcn: (t: TaskRuntime) => void, unknown: RuleId): AccelOutcome {
    if (this.runtime.state !== 'SETUP') return refuse('EPERM', 'accel.task.not-setup');
    if (seqno === 0n) {
      for (const t of [...this.runtime.tasks].reverse()) fcn(t);
      return { ok: true };
    }
    const task = this.snd_compr_find_task(seqno);
    if (task === null) return refuse('EINVAL', unknown);
    fcn(task);
    return { ok: true };
  }

  /** `snd_compr_task_status_ioctl()` + `snd_compr_task_status()`. */
  private snd_compr_task_status_ioctl(seqno: bigint, output_flags: number): AccelOutcome {
    if (this.runtime.state !== 'SETUP') return refuse('EPERM', 'accel.task.not-setup');
    const task = this.snd_compr_find_task(seqno);
    if (task === null) return refuse('EINVAL', 'accel.task-status.unknown');
    return {
      ok: true,
      status: { seqno, input_size: task.input_size, output_size: task.output_size, output_flags, state: task.state },
    };
  }

  /** `snd_compr_task_finished()`: called by the driver. */
  snd_compr_task_finished(task: TaskRuntime): void {
    if (this.runtime.active_tasks > 0) this.runtime.active_tasks--;
    task.state = 'FINISHED';
    this.wake();
  }
}
