// The premises the accel machine's edges test, each named after what it checks. Every guard reads
// the context and the event only; the kernel function it mirrors is named beside it.
import { ACCEL_MAX_FRAGMENTS, AUDIOCODEC } from '../../spec/abi/compress.ts';
import type { AccelEvent } from './events.ts';
import type { AccelContext, TaskRecord } from './context.ts';
import { driverAcceptsInput, driverAcceptsParams } from './device-model.ts';

type Args = { context: AccelContext; event: AccelEvent };

/** The seqno an event names: TASK_STOP/FREE/STATUS's, or TASK_START's `seqno` field. */
export function eventSeqno(event: AccelEvent): bigint | null {
  switch (event.type) {
    case 'TASK_STOP':
    case 'TASK_FREE':
    case 'TASK_STATUS':
      return event.seqno;
    case 'TASK_START':
      return event.task.seqno;
    default:
      return null;
  }
}

/** `snd_compr_find_task()`: the task with this seqno, if any. */
export function findTask(context: AccelContext, seqno: bigint | null): TaskRecord | undefined {
  return seqno === null ? undefined : context.tasks.find((t) => t.seqno === seqno);
}

const startArg = (event: AccelEvent) => (event.type === 'TASK_START' ? event.task : null);
/** The task a restart names by origin_seqno (undefined when none or not a restart). */
const originTask = ({ context, event }: Args) => {
  const a = startArg(event);
  return a && a.origin_seqno !== 0n ? findTask(context, a.origin_seqno) : undefined;
};
/** The task a fresh START names by seqno. */
const namedTask = ({ context, event }: Args) => findTask(context, eventSeqno(event));

export const guards = {
  /** accel.open.direction — `snd_compr_open()`: only O_RDWR selects SND_COMPRESS_ACCEL. */
  isNotReadWrite: ({ event }: Args) => event.type === 'OPEN' && event.mode !== 'O_RDWR',

  /** accel.set-params.fragment-size — `snd_compress_check_input()`. */
  isFragmentSizeZero: ({ event }: Args) => event.type === 'SET_PARAMS' && event.params.fragment_size === 0,
  /** accel.set-params.fragments — `snd_compress_check_input()`: 1..64 for accel. */
  isFragmentsOutOfRange: ({ event }: Args) =>
    event.type === 'SET_PARAMS' && (event.params.fragments === 0 || event.params.fragments > ACCEL_MAX_FRAGMENTS),
  /** accel.set-params.codec — `snd_compress_check_input()`. */
  isCodecInvalid: ({ event }: Args) => {
    if (event.type !== 'SET_PARAMS') return false;
    const c = event.params.codec;
    return c.id === 0 || c.id > AUDIOCODEC.MAX || c.ch_in === 0 || c.ch_out === 0;
  },
  /** accel.device.set-params — the driver's `set_params`. */
  driverRefusesParams: ({ context, event }: Args) =>
    event.type === 'SET_PARAMS' && !driverAcceptsParams(context.device.accepts, event.params),

  /** accel.task-create.busy — `snd_compr_task_new()`: total_tasks >= fragments. */
  isTaskTableFull: ({ context }: Args) => context.tasks.length >= context.fragments,
  /** accel.task-create.invalid — `snd_compr_task_new()`. */
  isCreateArgInvalid: ({ event }: Args) =>
    event.type === 'TASK_CREATE' && (event.task.origin_seqno !== 0n || event.task.input_size !== 0n),

  /** accel.task-start.unknown — `snd_compr_task_start_prepare()` with no task for origin_seqno. */
  isOriginUnknown: (a: Args) => {
    const s = startArg(a.event);
    return s !== null && s.origin_seqno !== 0n && originTask(a) === undefined;
  },
  /** accel.task-start.finished — `snd_compr_task_start_prepare()`: state >= FINISHED. */
  isOriginFinished: (a: Args) => originTask(a)?.state === 'FINISHED',
  /** accel.task-start.input-size — `snd_compr_task_start_prepare()`, restart path. */
  isOriginInputTooBig: (a: Args) => {
    const t = originTask(a);
    return t !== undefined && startArg(a.event)!.input_size > BigInt(t.inputBytes);
  },
  /** accel.task-start.driver-error — the driver's `task_start` refuses a restart's input. */
  driverRefusesOriginInput: (a: Args) =>
    originTask(a) !== undefined && !driverAcceptsInput(a.context.params!, startArg(a.event)!.input_size),
  /** accel.task-start.restart-active — origin_seqno names an ACTIVE task. */
  isOriginActive: (a: Args) => originTask(a)?.state === 'ACTIVE',
  /** accel.task-start.restart — origin_seqno names a task (checked after the refusals). */
  hasOrigin: (a: Args) => originTask(a) !== undefined,

  /** accel.task-start.not-idle — `snd_compr_task_start()`: the named task is not IDLE. */
  isNamedTaskNotIdle: (a: Args) => {
    const t = namedTask(a);
    return t !== undefined && t.state !== 'IDLE';
  },
  /** accel.task-*.unknown — `snd_compr_find_task()` finds nothing (seqno 0 included). */
  namesNoTask: (a: Args) => namedTask(a) === undefined,
  /** accel.task-start.input-size — `snd_compr_task_start_prepare()`, fresh path. */
  isInputTooBig: (a: Args) => {
    const t = namedTask(a);
    return t !== undefined && startArg(a.event)!.input_size > BigInt(t.inputBytes);
  },
  /** accel.task-start.driver-error — the driver's `task_start` refuses the input. */
  driverRefusesInput: ({ context, event }: Args) =>
    event.type === 'TASK_START' && !driverAcceptsInput(context.params!, event.task.input_size),

  /** accel.task-stop.all / accel.task-free.all — `snd_compr_task_seq()` with seqno 0. */
  isSeqnoZero: ({ event }: Args) => eventSeqno(event) === 0n,
  /** accel.task-stop.ok — `snd_compr_task_stop_one()` acts on ACTIVE tasks only. */
  isNamedTaskActive: (a: Args) => namedTask(a)?.state === 'ACTIVE',

  /** accel.device.run — the reference's run queue is empty. */
  isRunQueueEmpty: ({ context }: Args) => context.runQueue.length === 0,
};

export type GuardName = keyof typeof guards;
