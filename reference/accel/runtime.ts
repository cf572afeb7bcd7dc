// The reference core's data, after include/sound/compress_driver.h: a dma-buf, a task runtime,
// the stream runtime. Shared by ./core.ts (the compress core) and ./driver.ts (the driver).
import type { TaskState } from '../../spec/abi/compress.ts';

/** A dma-buf: shareable memory any thread can map. */
export interface DmaBuf {
  readonly sab: SharedArrayBuffer;
  readonly size: number;
}

/** struct snd_compr_task_runtime. */
export interface TaskRuntime {
  input: DmaBuf | null;
  output: DmaBuf | null;
  seqno: bigint;
  input_size: bigint;
  output_size: bigint;
  flags: number;
  state: TaskState;
}

/** struct snd_compr_runtime, accel fields. */
export interface CompressRuntime {
  state: 'OPEN' | 'SETUP';
  fragment_size: number;
  fragments: number;
  active_tasks: number;
  total_tasks: number;
  task_seqno: bigint;
  /** runtime->tasks, head first. */
  tasks: TaskRuntime[];
}
