// The sync machine: one DMA buffer's two views and the core's sync points.
export { syncMachine, type SyncMachine, type EdgeMeta } from './sync.machine.ts';
export { initialContext, type SyncContext, type SyncMachineInput, type DmaDirection } from './context.ts';
export { CPU_SITES, DEVICE_SITES, type SyncEvent } from './events.ts';
export { add, remove, overlaps, covers, type Range } from './ranges.ts';
