// The sync machine's context: one DMA buffer (struct snd_dma_buffer) as its two views see it —
// where the CPU's view holds bytes the device's does not have yet, and the other way round.
import type { SyncEffect } from '../../spec/dma.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import type { Range } from './ranges.ts';

export type DmaDirection = 'TO_DEVICE' | 'FROM_DEVICE';

export interface SyncMachineInput {
  /** dmab->dev.dir: playback buffers TO_DEVICE, capture FROM_DEVICE (sync.buffer.direction). */
  dir: DmaDirection;
  /** dmab->dev.need_sync (sync.buffer.type). */
  needSync: boolean;
  /** runtime->info has EXPLICIT_SYNC (sync.point.gate); ATTACH changes it. */
  explicit?: boolean;
}

export interface SyncContext {
  dir: DmaDirection;
  needSync: boolean;
  explicit: boolean;
  /** Ranges whose newest bytes only the CPU's view holds. */
  cpuAhead: Range[];
  /** Ranges whose newest bytes only the device's view holds. */
  deviceAhead: Range[];
  /** What the last sync call did (sync.point.gate, sync.buffer.direction, or the views equalised). */
  lastSync: SyncEffect | null;
  /** What the last read saw: `stale` when it missed the other side's newer bytes. */
  lastRead: { stale: boolean; committed: boolean } | null;
  /** Edges the last event took, with their rules. */
  steps: { id: string; rules: readonly RuleId[] }[];
}

export function initialContext(input: SyncMachineInput): SyncContext {
  return { dir: input.dir, needSync: input.needSync, explicit: input.explicit ?? false, cpuAhead: [], deviceAhead: [], lastSync: null, lastRead: null, steps: [] };
}
