// The accel machines: the stream (CLOSED/OPEN/SETUP) with its task table, and the task lifecycle.
export { accelMachine, type AccelMachine } from './stream.machine.ts';
export { taskMachine } from './task.machine.ts';
export type { TaskEvent, TaskEventType } from './events.ts';
export { stepTask } from './task-step.ts';
export { nextSeqno } from './actions.ts';
export { findTask, eventSeqno } from './guards.ts';
export { driverAcceptsInput, driverAcceptsParams, inFrameBytes, outFrameBytes, outputSize, rateRatio } from './device-model.ts';
export type { AccelContext, AccelMachineInput, TaskRecord, TaskStep } from './context.ts';
export type { EdgeMeta } from './meta.ts';
