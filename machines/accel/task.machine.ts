// One accel task: IDLE (not queued), ACTIVE (queued on the accelerator), FINISHED (output ready),
// and FREED once TASK_FREE or close released it. Its events are what a stream command does to this
// task; the stream machine (./stream.machine.ts) decides which, after the core's checks, and
// applies this machine to its task table through ./task-step.ts. Refusals live on the stream
// machine: here every edge is a change the kernel makes.
import { setup } from 'xstate';
import type { TaskEvent } from './events.ts';
import type { EdgeMeta, StateMeta } from './meta.ts';

export const taskMachine = setup({
  types: {
    events: {} as TaskEvent,
    meta: {} as StateMeta,
    transitionMeta: {} as EdgeMeta,
  },
}).createMachine({
  id: 'accel-task',
  initial: 'IDLE',
  states: {
    IDLE: {
      meta: { description: 'SND_COMPRESS_TASK_STATE_IDLE: created or stopped, not queued' },
      on: {
        TASK_START: { target: 'ACTIVE', meta: { rules: ['accel.task-start.ok'] } },
        TASK_RESTART: { target: 'ACTIVE', meta: { rules: ['accel.task-start.restart', 'accel.seqno.next'] } },
        TASK_START_FAILED: { target: 'IDLE', meta: { rules: ['accel.task-start.driver-error'] } },
        TASK_STOP: { meta: { rules: ['accel.task-stop.not-active'] } },
        TASK_FREE: { target: 'FREED', meta: { rules: ['accel.task-free.ok'] } },
      },
    },
    ACTIVE: {
      meta: { description: 'SND_COMPRESS_TASK_STATE_ACTIVE: queued on the accelerator' },
      on: {
        TASK_RESTART: {
          target: 'ACTIVE',
          meta: { rules: ['accel.task-start.restart-active', 'accel.seqno.next'] },
        },
        TASK_START_FAILED: { target: 'IDLE', meta: { rules: ['accel.task-start.driver-error'] } },
        TASK_STOP: { target: 'IDLE', meta: { rules: ['accel.task-stop.ok'] } },
        TASK_FREE: { target: 'FREED', meta: { rules: ['accel.task-stop.ok', 'accel.task-free.ok'] } },
        TASK_FINISHED: { target: 'FINISHED', meta: { rules: ['accel.task-finished.ok'] } },
      },
    },
    FINISHED: {
      meta: { description: 'SND_COMPRESS_TASK_STATE_FINISHED: processed, output available' },
      on: {
        TASK_STOP: { meta: { rules: ['accel.task-stop.not-active'] } },
        TASK_FREE: { target: 'FREED', meta: { rules: ['accel.task-free.ok'] } },
      },
    },
    FREED: {
      meta: { description: 'freed by TASK_FREE or close; its seqno names nothing' },
      type: 'final',
    },
  },
});
