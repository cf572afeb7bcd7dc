// The accel machine's context: the stream runtime (`struct snd_compr_runtime`, accel part), its task
// list, and the reference driver's run queue. Task records mirror `struct snd_compr_task_runtime`.
import type { TaskState } from '../../spec/abi/compress.ts';
import type { AccelAccepts, AccelCaps, AccelOutcome, AccelParams } from '../../spec/accel-device.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import type { TaskEventType } from './events.ts';

export interface TaskRecord {
  /** The model's own name for a task: seqnos change on restart. */
  uid: number;
  seqno: bigint;
  state: TaskState;
  input_size: bigint;
  output_size: bigint;
  flags: number;
  /** Size of the input dma-buf the driver exported (`task->input->size`). */
  inputBytes: number;
}

/** One task-machine transition taken by the last command (TASK_CREATE has `from: null`). */
export interface TaskStep {
  uid: number;
  from: TaskState | null;
  event: TaskEventType | 'TASK_CREATE';
  to: TaskState | 'FREED';
  rules: RuleId[];
}

export interface AccelMachineInput {
  caps: AccelCaps;
  accepts: AccelAccepts;
  /** `task_seqno` after OPEN; the kernel's is 0. Tests of the wrap start near 2^64. */
  seqnoStart?: bigint;
}

export interface AccelContext {
  device: AccelMachineInput;
  /** The parameters SET_PARAMS stored (null in OPEN and CLOSED). */
  params: AccelParams | null;
  /** `runtime->fragments`. */
  fragments: number;
  /** `runtime->task_seqno`: the last seqno drawn. */
  taskSeqno: bigint;
  /** `runtime->active_tasks`: a counter, not always the number of ACTIVE tasks. */
  activeTasks: number;
  /** `runtime->tasks`, in list order. */
  tasks: TaskRecord[];
  /** The reference driver's run queue (task uids), oldest START first. */
  runQueue: number[];
  nextUid: number;
  /** The outcome of the last command. */
  last: AccelOutcome | null;
  /** The task-machine transitions the last command took. */
  steps: TaskStep[];
}

export function initialContext(input: AccelMachineInput): AccelContext {
  return {
    device: input,
    params: null,
    fragments: 0,
    taskSeqno: input.seqnoStart ?? 0n,
    activeTasks: 0,
    tasks: [],
    runQueue: [],
    nextUid: 1,
    last: null,
    steps: [],
  };
}
