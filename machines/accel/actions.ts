// What the accel machine's edges do to the context: each action is the effect of one kernel
// function (named beside it) and records the command's outcome in `last` and the task-machine
// steps it took in `steps`.
import { assign } from 'xstate';
import { COMPRESS_VERSION, POLL, pollReport } from '../../spec/abi/compress.ts';
import type { Errno } from '../../spec/abi/errno.ts';
import type { AccelOutcome, TaskArg } from '../../spec/accel-device.ts';
import type { AccelEvent } from './events.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import { initialContext, type AccelContext, type TaskRecord, type TaskStep } from './context.ts';
import type { TaskEventType } from './events.ts';
import { outputSize } from './device-model.ts';
import { eventSeqno, findTask } from './guards.ts';
import { stepTask } from './task-step.ts';

const U64 = (1n << 64n) - 1n;
const OK: AccelOutcome = { ok: true };

/** `snd_compr_seqno_next()`: ++task_seqno, skipping 0 on wrap. */
export function nextSeqno(last: bigint): bigint {
  const s = (last + 1n) & U64;
  return s === 0n ? 1n : s;
}

/** A mutable copy of the runtime, so that each action reads like the kernel function it mirrors. */
class Runtime {
  tasks: TaskRecord[];
  runQueue: number[];
  activeTasks: number;
  taskSeqno: bigint;
  steps: TaskStep[] = [];
  constructor(c: AccelContext) {
    this.tasks = c.tasks.map((t) => ({ ...t }));
    this.runQueue = [...c.runQueue];
    this.activeTasks = c.activeTasks;
    this.taskSeqno = c.taskSeqno;
  }
  task(uid: number): TaskRecord {
    const t = this.tasks.find((x) => x.uid === uid);
    if (!t) throw new Error(`accel machine: task ${uid} is not in the table`);
    return t;
  }
  step(t: TaskRecord, type: TaskEventType): void {
    const s = stepTask(t.uid, t.state, type);
    this.steps.push(s);
    if (s.to !== 'FREED') t.state = s.to;
  }
  moveTail(t: TaskRecord): void {
    this.tasks = [...this.tasks.filter((x) => x !== t), t];
  }
  dequeue(uid: number): void {
    this.runQueue = this.runQueue.filter((u) => u !== uid);
  }
  enqueue(uid: number): void {
    this.dequeue(uid);
    this.runQueue.push(uid);
  }
  activeDown(): void {
    if (this.activeTasks > 0) this.activeTasks--; // snd_BUG_ON(active_tasks == 0) guards it
  }
  /** `snd_compr_task_stop_one()`. */
  stopOne(t: TaskRecord): void {
    if (t.state !== 'ACTIVE') return this.step(t, 'TASK_STOP');
    this.dequeue(t.uid);
    this.activeDown();
    this.moveTail(t);
    this.step(t, 'TASK_STOP');
  }
  /** `snd_compr_task_free_one()`: stop if active, then drop. */
  freeOne(t: TaskRecord): void {
    if (t.state === 'ACTIVE') {
      this.dequeue(t.uid);
      this.activeDown();
    }
    this.step(t, 'TASK_FREE');
    this.tasks = this.tasks.filter((x) => x !== t);
  }
  /** Walks the list from its tail, as list_for_each_entry_safe_reverse(). */
  forAllReverse(f: (t: TaskRecord) => void): void {
    for (const t of [...this.tasks].reverse()) f(t);
  }
  done(last: AccelOutcome): Partial<AccelContext> {
    return {
      tasks: this.tasks,
      runQueue: this.runQueue,
      activeTasks: this.activeTasks,
      taskSeqno: this.taskSeqno,
      steps: this.steps,
      last,
    };
  }
}

type Update = (context: AccelContext, event: AccelEvent) => Partial<AccelContext>;
const update = (f: Update) =>
  assign<AccelContext, AccelEvent, undefined, AccelEvent, never>(({ context, event }) => f(context, event));

const startArg = (event: AccelEvent): TaskArg => {
  if (event.type !== 'TASK_START') throw new Error(`accel machine: ${event.type} is not TASK_START`);
  return event.task;
};

/** `snd_compr_task_start_prepare()` + the restart half of `snd_compr_task_start()`. */
function restart(rt: Runtime, context: AccelContext, event: AccelEvent): TaskRecord {
  const arg = startArg(event);
  const t = findTask({ ...context, tasks: rt.tasks }, arg.origin_seqno)!;
  t.flags = arg.flags;
  t.input_size = arg.input_size;
  rt.taskSeqno = nextSeqno(rt.taskSeqno);
  t.seqno = rt.taskSeqno;
  rt.moveTail(t);
  return t;
}

export type RefuseParams = { errno: Errno; rule: RuleId };

export const actions = {
  /** Records a refusal: nothing else changes. */
  refuse: assign<AccelContext, AccelEvent, RefuseParams, AccelEvent, never>((_, p) => ({
    last: { ok: false, errno: p.errno, rule: p.rule },
    steps: [],
  })),

  /** `snd_compr_open()`: a fresh runtime. */
  openStream: update((context) => ({ ...initialContext(context.device), last: OK })),

  /** `snd_compr_free()` → `snd_compr_task_free_all()`, then the runtime is gone. */
  closeStream: update((context) => {
    const rt = new Runtime(context);
    rt.forAllReverse((t) => rt.freeOne(t));
    return { ...initialContext(context.device), steps: rt.steps, last: OK };
  }),

  /** `snd_compr_set_params()`: only fragments and fragment_size are kept by the core. */
  setParams: update((_, event) =>
    event.type === 'SET_PARAMS' ? { params: event.params, fragments: event.params.fragments, last: OK, steps: [] } : {},
  ),

  /** IOCTL_VERSION. */
  reportVersion: update(() => ({ last: { ok: true, version: COMPRESS_VERSION['7.2'] }, steps: [] })),

  /** `snd_compr_get_caps()`: the driver's answer. */
  reportCaps: update((context) => ({
    last: { ok: true, caps: { ...context.device.caps, codecs: [...context.device.caps.codecs] } },
    steps: [],
  })),

  /** `snd_compr_poll()`. */
  reportPoll: update((context, event) => {
    const events = event.type === 'POLL' ? event.events : undefined;
    let ready = 0;
    if (context.params === null) ready = POLL.IN | POLL.RDNORM | POLL.ERR;
    else {
      if (context.fragments > context.activeTasks) ready |= POLL.OUT | POLL.WRNORM;
      if (context.tasks[0]?.state === 'FINISHED') ready |= POLL.IN | POLL.RDNORM;
    }
    return { last: { ok: true, revents: pollReport(ready, events) }, steps: [] };
  }),

  /** poll(2) of a descriptor that is not open. */
  reportPollClosed: update(() => ({ last: { ok: true, revents: POLL.NVAL }, steps: [] })),

  /** `snd_compr_task_new()`: a new IDLE task at the tail. */
  createTask: update((context, event) => {
    if (event.type !== 'TASK_CREATE') return {};
    const rt = new Runtime(context);
    rt.taskSeqno = nextSeqno(rt.taskSeqno);
    const t: TaskRecord = {
      uid: context.nextUid,
      seqno: rt.taskSeqno,
      state: 'IDLE',
      input_size: 0n,
      output_size: 0n,
      flags: 0,
      inputBytes: context.params!.fragment_size,
    };
    rt.tasks.push(t);
    rt.steps.push({ uid: t.uid, from: null, event: 'TASK_CREATE', to: 'IDLE', rules: ['accel.task-create.ok'] });
    const task = { ...event.task, seqno: t.seqno, input_fd: -1, output_fd: -1 };
    return { ...rt.done({ ok: true, task }), nextUid: context.nextUid + 1 };
  }),

  /** `snd_compr_task_start()` with origin_seqno 0: the named IDLE task is queued. */
  startTask: update((context, event) => {
    const arg = startArg(event);
    const rt = new Runtime(context);
    const t = findTask({ ...context, tasks: rt.tasks }, arg.seqno)!;
    t.flags = arg.flags;
    t.input_size = arg.input_size;
    rt.enqueue(t.uid);
    rt.activeTasks++;
    rt.step(t, 'TASK_START');
    return rt.done({ ok: true, task: { ...arg, input_fd: -1, output_fd: -1 } });
  }),

  /** The same when the driver's task_start refuses: flags and input_size are already stored. */
  startFailed: update((context, event) => {
    const arg = startArg(event);
    const rt = new Runtime(context);
    const t = findTask({ ...context, tasks: rt.tasks }, arg.seqno)!;
    t.flags = arg.flags;
    t.input_size = arg.input_size;
    rt.step(t, 'TASK_START_FAILED');
    return rt.done({ ok: false, errno: 'EINVAL', rule: 'accel.task-start.driver-error' });
  }),

  /** `snd_compr_task_start()` with origin_seqno: renamed, moved to the tail, queued again. */
  restartTask: update((context, event) => {
    const arg = startArg(event);
    const rt = new Runtime(context);
    const t = restart(rt, context, event);
    rt.enqueue(t.uid);
    rt.activeTasks++;
    rt.step(t, 'TASK_RESTART');
    return rt.done({ ok: true, task: { ...arg, seqno: t.seqno, origin_seqno: 0n, input_fd: -1, output_fd: -1 } });
  }),

  /** A restart the driver refuses: renamed and moved, then IDLE and off the run queue. */
  restartFailed: update((context, event) => {
    const rt = new Runtime(context);
    const t = restart(rt, context, event);
    rt.dequeue(t.uid);
    rt.step(t, 'TASK_START_FAILED');
    return rt.done({ ok: false, errno: 'EINVAL', rule: 'accel.task-start.driver-error' });
  }),

  /** `snd_compr_task_seq(…, snd_compr_task_stop_one)` for one seqno. */
  stopOne: update((context, event) => {
    const rt = new Runtime(context);
    rt.stopOne(findTask({ ...context, tasks: rt.tasks }, eventSeqno(event))!);
    return rt.done(OK);
  }),

  /** The same with seqno 0: every task, from the tail. */
  stopAll: update((context) => {
    const rt = new Runtime(context);
    rt.forAllReverse((t) => rt.stopOne(t));
    return rt.done(OK);
  }),

  /** `snd_compr_task_seq(…, snd_compr_task_free_one)` for one seqno. */
  freeOne: update((context, event) => {
    const rt = new Runtime(context);
    rt.freeOne(findTask({ ...context, tasks: rt.tasks }, eventSeqno(event))!);
    return rt.done(OK);
  }),

  /** The same with seqno 0. */
  freeAll: update((context) => {
    const rt = new Runtime(context);
    rt.forAllReverse((t) => rt.freeOne(t));
    return rt.done(OK);
  }),

  /** `snd_compr_task_status()`: three fields written into the caller's struct. */
  reportStatus: update((context, event) => {
    if (event.type !== 'TASK_STATUS') return {};
    const t = findTask(context, event.seqno)!;
    const status = {
      seqno: event.seqno,
      input_size: t.input_size,
      output_size: t.output_size,
      output_flags: event.output_flags ?? 0,
      state: t.state,
    };
    return { last: { ok: true, status }, steps: [] };
  }),

  /** The accelerator completes the head of its run queue; `snd_compr_task_finished()`. */
  finishHead: update((context) => {
    const rt = new Runtime(context);
    const t = rt.task(rt.runQueue[0]!);
    rt.dequeue(t.uid);
    t.output_size = outputSize(context.params!, t.input_size);
    rt.activeDown();
    rt.step(t, 'TASK_FINISHED');
    return rt.done({ ok: true, finished: t.seqno });
  }),

  /** The accelerator has nothing queued. */
  finishNothing: update(() => ({ last: { ok: true, finished: 0n }, steps: [] })),
};

export type ActionName = keyof typeof actions;
