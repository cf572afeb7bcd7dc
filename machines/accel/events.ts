// The events of the accel machines. The stream machine takes the seam's commands as they are
// (spec/accel-device.ts: ioctls and syscalls on the stream file, and TASK_FINISHED from the
// device); the task machine takes what one of those commands does to one task.
export type { AccelEvent, DeviceCommand, StreamCommand } from '../../spec/accel-device.ts';

/** What a stream command does to one task: the task machine's event types. */
export type TaskEventType =
  | 'TASK_START'
  | 'TASK_RESTART'
  | 'TASK_START_FAILED'
  | 'TASK_STOP'
  | 'TASK_FREE'
  | 'TASK_FINISHED';

export type TaskEvent = { type: TaskEventType };
