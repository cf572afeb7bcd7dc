// The sync machine's events: one buffer's view accesses and the core's sync calls (spec/dma.ts),
// and ATTACH when a runtime takes the buffer (its EXPLICIT_SYNC decides the gate).
import type { SyncSite } from '../../spec/dma.ts';

export type SyncEvent =
  | { type: 'ATTACH'; explicit: boolean }
  | { type: 'CPU_WRITE'; ofs: number; len: number }
  | { type: 'CPU_READ'; ofs: number; len: number }
  | { type: 'DEVICE_WRITE'; ofs: number; len: number }
  | { type: 'DEVICE_READ'; ofs: number; len: number; committed: boolean }
  | { type: 'SYNC_DEVICE'; site: SyncSite }
  | { type: 'SYNC_CPU'; site: SyncSite };

export const DEVICE_SITES = ['xfer-write', 'silence', 'sync-ptr-appl', 'rewind', 'forward'] as const satisfies readonly SyncSite[];
export const CPU_SITES = ['xfer-read', 'sync-ptr-hwsync', 'hwsync', 'delay'] as const satisfies readonly SyncSite[];
