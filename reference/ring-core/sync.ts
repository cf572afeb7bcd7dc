// snd_pcm_dma_buffer_sync() (sound/core/pcm_local.h) and the record of who touched which view
// (spec/pcm/sync.md). The core calls `dmaSync` at the kernel's sync points; the copies and the
// device call `touch` so that the inspection API can replay the views' history.
import { INFO } from '../../spec/abi/params.ts';
import type { DmaEvent, SyncEffect, SyncMode, SyncSite } from '../../spec/dma.ts';
import type { Substream } from './card.ts';
import { interleavedLayout } from './buffer.ts';

/** snd_pcm_dma_buffer_sync(): only with EXPLICIT_SYNC in runtime->info and a runtime buffer. */
export function dmaSync(s: Substream, mode: SyncMode, site: SyncSite): SyncEffect {
  const rt = s.rt;
  const buf = rt.dmaBuffer;
  const effect = rt.info & INFO.EXPLICIT_SYNC && buf ? buf.sync(mode) : 'gate';
  s.card.recorder.dmaEvent(s.dir, { kind: 'SYNC', mode, site, effect });
  return effect;
}

type Access = Extract<DmaEvent, { kind: 'CPU_WRITE' | 'CPU_READ' | 'DEVICE_WRITE' | 'DEVICE_READ' }>;

/** Records an access of `frames` frames at buffer frame `ofs` (a run that does not wrap), as the
 * byte ranges the layout puts them in: one for interleaved frames, one per channel otherwise. */
export function touch(s: Substream, kind: Access['kind'], ofs: number, frames: number, extra: { why?: 'xfer' | 'silence'; committed?: boolean } = {}): void {
  const rec = s.card.recorder;
  if (!rec.enabled || frames === 0) return;
  const rt = s.rt;
  const ranges: [number, number][] = [];
  if (interleavedLayout(rt) || rt.channels === 1) ranges.push([ofs * rt.frameBytes, frames * rt.frameBytes]);
  else for (let c = 0; c < rt.channels; c++) ranges.push([c * (rt.dmaBytes / rt.channels) + ofs * rt.sampleBytes, frames * rt.sampleBytes]);
  for (const [o, len] of ranges) {
    const e: Access =
      kind === 'CPU_WRITE' ? { kind, ofs: o, len, why: extra.why ?? 'xfer' }
      : kind === 'DEVICE_READ' ? { kind, ofs: o, len, committed: extra.committed ?? false }
      : { kind: kind as 'CPU_READ' | 'DEVICE_WRITE', ofs: o, len };
    rec.dmaEvent(s.dir, e);
  }
}
