// The buffer machine: the managed-buffer lifecycle of one substream, and the allocator both it and
// the PCM machine decide with.
export { bufferMachine, STABLE_STATES, type BufferMachine, type EdgeMeta, type StableState } from './managed.machine.ts';
export { initialContext, type BufferContext, type BufferMachineInput, type Step } from './context.ts';
export { BUFFER_EVENT_TYPES, type BufferEvent } from './events.ts';
export * from './allocator.ts';
