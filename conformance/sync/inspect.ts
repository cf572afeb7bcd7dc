// What a backend may show of its buffers' views (the reference does, with `trace`): the record of
// accesses and sync calls, and both views of a runtime buffer. A real kernel shows neither.
import type { StreamDir } from '../../spec/abi/states.ts';
import type { DmaEvent, SyncEffect, SyncMode, SyncSite } from '../../spec/dma.ts';
import type { PcmDevice } from '../../spec/device.ts';

export interface SyncInspection {
  /** The backend records what takeDma() reports. */
  readonly tracing: boolean;
  takeDma(dir: StreamDir): DmaEvent[];
  views(dir: StreamDir): { cpu: Uint8Array; dev: Uint8Array } | null;
}

export interface DmaProbeShown {
  bytes: number;
  store(side: 'CPU' | 'DEVICE', ofs: number, data: Uint8Array): void;
  load(side: 'CPU' | 'DEVICE', ofs: number, len: number): Uint8Array;
  sync(mode: SyncMode, site: SyncSite): SyncEffect;
}

export const syncInspectable = (d: PcmDevice): d is PcmDevice & SyncInspection =>
  (d as Partial<SyncInspection>).tracing === true &&
  typeof (d as Partial<SyncInspection>).takeDma === 'function' &&
  typeof (d as Partial<SyncInspection>).views === 'function';

export const probeable = (d: PcmDevice): d is PcmDevice & { dmaProbe(dir: StreamDir): DmaProbeShown | null } =>
  typeof (d as { dmaProbe?: unknown }).dmaProbe === 'function';
