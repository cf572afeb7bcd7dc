// mmap(2) of a PCM file: snd_pcm_mmap() dispatching to snd_pcm_mmap_status(),
// snd_pcm_mmap_control() and snd_pcm_mmap_data() (sound/core/pcm_native.c), after the checks
// mmap(2) itself makes (a length of 0 or an offset that is not page-aligned is EINVAL before the
// driver is asked). Lengths are page-aligned by mmap(2), so any length in (0, 4096] maps one page.
import type { MmapArea } from '../../spec/device.ts';
import { INFO } from '../../spec/abi/params.ts';
import { MMAP_OFFSET, protocolVersion } from '../../spec/abi/ioctl.ts';
import { PAGE_SIZE } from '../../spec/abi/structs.ts';
import type { PcmFile } from './card.ts';
import { kerr, type KErr } from './errors.ts';
import { mappableBytes } from './params.ts';

const pageAlign = (n: number): number => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

export interface MmapArgs {
  area: MmapArea;
  bytes?: number;
  offset?: number;
  prot?: 'R' | 'W' | 'RW' | 'NONE';
}

/** Which area an offset selects (the data area unless it is one of the magic offsets). */
function areaAt(area: MmapArea, offset: number): MmapArea {
  if (area !== 'DATA') return area;
  if (offset === MMAP_OFFSET.STATUS_NEW || offset === MMAP_OFFSET.STATUS_OLD) return 'STATUS';
  if (offset === MMAP_OFFSET.CONTROL_NEW || offset === MMAP_OFFSET.CONTROL_OLD) return 'CONTROL';
  return 'DATA';
}

/** Checks a mapping; returns the area it maps, or the error. */
export function mmapCheck(file: PcmFile, a: MmapArgs): KErr | MmapArea {
  const s = file.sub;
  const rt = s.rt;
  const prot = a.prot ?? 'RW';
  const read = prot === 'R' || prot === 'RW';
  const offset = a.offset ?? 0;
  const dataDefault = rt.dmaBytes > 0 ? pageAlign(rt.dmaBytes) : PAGE_SIZE;
  const bytes = a.bytes ?? (a.area === 'DATA' ? dataDefault : PAGE_SIZE);
  const area = areaAt(a.area, offset);
  const sizeRule = area === 'DATA' ? 'pcm.mmap-data.size' : 'pcm.mmap-page.size';
  if (!Number.isSafeInteger(bytes) || bytes <= 0) return kerr('EINVAL', sizeRule);
  if (!Number.isSafeInteger(offset) || offset < 0 || offset % PAGE_SIZE !== 0) return kerr('EINVAL', sizeRule);
  const size = pageAlign(bytes);
  if (area === 'STATUS') {
    if (s.hwInfo & INFO.EXPLICIT_SYNC) return kerr('ENXIO', 'pcm.mmap-control.refused');
    if (file.userPversion < protocolVersion(2, 0, 14) && s.hwInfo & INFO.SYNC_APPLPTR) return kerr('ENXIO', 'pcm.mmap-control.refused');
    if (!read || size !== PAGE_SIZE) return kerr('EINVAL', 'pcm.mmap-page.size');
    return 'STATUS';
  }
  if (area === 'CONTROL') {
    if (s.hwInfo & (INFO.EXPLICIT_SYNC | INFO.SYNC_APPLPTR)) return kerr('ENXIO', 'pcm.mmap-control.refused');
    if (!read || size !== PAGE_SIZE) return kerr('EINVAL', 'pcm.mmap-page.size');
    return 'CONTROL';
  }
  // snd_pcm_mmap_data(): playback needs read or write access, capture read
  if (s.playback ? prot === 'NONE' : !read) return kerr('EINVAL', 'pcm.mmap-data.prot');
  if (rt.state === 'OPEN') return kerr('EBADFD', 'pcm.mmap-data.open');
  if (!(rt.info & INFO.MMAP)) return kerr('ENXIO', 'pcm.mmap-data.no-mmap');
  if (rt.access === 'RW_INTERLEAVED' || rt.access === 'RW_NONINTERLEAVED') return kerr('EINVAL', 'pcm.mmap-data.rw-access');
  const dma = mappableBytes(s);
  if (size > dma || offset > dma - size) return kerr('EINVAL', 'pcm.mmap-data.size');
  return 'DATA';
}
