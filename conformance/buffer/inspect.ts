// What a backend may show beyond the seam about its buffers (the reference does, with `trace`):
// the driver callbacks and allocations each command made, and the card's memory. The suite
// compares them with the buffer machine where they exist; a real kernel shows neither.
import type { StreamDir } from '../../spec/abi/states.ts';
import type { PcmDevice } from '../../spec/device.ts';

export interface MemoryShown {
  total: number;
  subs: Partial<Record<StreamDir, { prealloc_bytes: number; buffer_bytes_max: number; dma_max: number }>>;
}

export interface BufferInspection {
  /** The backend records what the methods below report. */
  readonly tracing: boolean;
  takeCalls(): string[];
  memory(): MemoryShown;
}

export const inspectable = (d: PcmDevice): d is PcmDevice & BufferInspection =>
  (d as Partial<BufferInspection>).tracing === true &&
  typeof (d as Partial<BufferInspection>).takeCalls === 'function' &&
  typeof (d as Partial<BufferInspection>).memory === 'function';
