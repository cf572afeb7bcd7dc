// The DMA buffer's layout and the copies in and out of it.
//
// Interleaved setups (RW_/MMAP_INTERLEAVED) store frame f at byte f · frame_bytes. The others store
// channel c in its own area at c · (dma_bytes / channels), sample f at f · sample_bytes within it
// (get_dma_ptr() in sound/core/pcm_lib.c). Copies use TypedArray.set on whole runs: the caller never
// passes a run that crosses the end of the buffer, so a wrapped transfer costs two calls.
//
// Non-interleaved user data (WRITEN/READN `data`) holds the channels one after another, each
// `frames × sample_bytes` long; the test pattern of a WRITEN without data gives sample (n, c) the
// bytes the same frame would carry interleaved (spec/device.ts patternByte(n, c · sample_bytes + k)).
import { fillPattern, patternByte } from '../../spec/device.ts';
import { silenceByte } from './format.ts';
import type { Runtime } from './runtime.ts';

export const interleavedLayout = (rt: Runtime): boolean =>
  rt.access === 'RW_INTERLEAVED' || rt.access === 'MMAP_INTERLEAVED';

/** The CPU's view: what the core's copies and the silence filler use. */
function dma(rt: Runtime): Uint8Array {
  const d = rt.dma;
  if (!d) throw new Error('ring-core invariant: no DMA buffer');
  return d;
}

/** The device's view: what the DMA engine reads and writes (spec/pcm/sync.md). */
function devView(rt: Runtime): Uint8Array {
  const d = rt.devView;
  if (!d) throw new Error('ring-core invariant: no DMA buffer');
  return d;
}

const area = (rt: Runtime, c: number): number => c * (rt.dmaBytes / rt.channels);

/** fill_silence_frames(): `frames` frames of silence at buffer offset `ofs` (no wrap). */
export function fillSilenceFrames(rt: Runtime, ofs: number, frames: number): void {
  const d = dma(rt);
  const s = silenceByte(rt.format);
  if (interleavedLayout(rt)) {
    d.fill(s, ofs * rt.frameBytes, (ofs + frames) * rt.frameBytes);
    return;
  }
  for (let c = 0; c < rt.channels; c++) {
    const a = area(rt, c);
    d.fill(s, a + ofs * rt.sampleBytes, a + (ofs + frames) * rt.sampleBytes);
  }
}

/** The device reads `frames` frames at `ofs` into `dst` as interleaved frames. */
export function gatherFrames(rt: Runtime, ofs: number, frames: number, dst: Uint8Array): void {
  const d = devView(rt);
  const fb = rt.frameBytes;
  if (interleavedLayout(rt) || rt.channels === 1) {
    dst.set(d.subarray(ofs * fb, (ofs + frames) * fb));
    return;
  }
  const sb = rt.sampleBytes;
  for (let c = 0; c < rt.channels; c++) {
    const a = area(rt, c) + ofs * sb;
    for (let f = 0; f < frames; f++) {
      for (let k = 0; k < sb; k++) dst[f * fb + c * sb + k] = d[a + f * sb + k]!;
    }
  }
}

/** The device writes `src` (interleaved frames) at `ofs`. */
export function scatterFrames(rt: Runtime, ofs: number, src: Uint8Array): void {
  const d = devView(rt);
  const fb = rt.frameBytes;
  const frames = src.length / fb;
  if (interleavedLayout(rt) || rt.channels === 1) {
    d.set(src, ofs * fb);
    return;
  }
  const sb = rt.sampleBytes;
  for (let c = 0; c < rt.channels; c++) {
    const a = area(rt, c) + ofs * sb;
    for (let f = 0; f < frames; f++) {
      for (let k = 0; k < sb; k++) d[a + f * sb + k] = src[f * fb + c * sb + k]!;
    }
  }
}

/** Where a transfer's frames come from or go to. `frames` is the size the caller asked for. */
export interface UserBuffer {
  /** interleaved_copy() (WRITEI/READI/read/write) or noninterleaved_copy() (WRITEN/READN). */
  interleaved: boolean;
  frames: number;
  /** Playback: the caller's data, or null for the test pattern starting at `patternFrame`. */
  data: Uint8Array | null;
  patternFrame: number;
}

/** The frame-offset math of interleaved_copy()/noninterleaved_copy() for a write: `frames` frames
 * from user offset `off` to buffer offset `hwoff`. */
export function copyFromUser(rt: Runtime, u: UserBuffer, hwoff: number, off: number, frames: number): void {
  const d = dma(rt);
  if (u.interleaved) {
    const fb = rt.frameBytes;
    const dst = d.subarray(hwoff * fb, (hwoff + frames) * fb);
    if (u.data) dst.set(u.data.subarray(off * fb, (off + frames) * fb));
    else fillPattern(dst, u.patternFrame + off, fb);
    return;
  }
  const sb = rt.sampleBytes;
  for (let c = 0; c < rt.channels; c++) {
    const at = area(rt, c) + hwoff * sb;
    if (u.data) {
      const from = (c * u.frames + off) * sb;
      d.set(u.data.subarray(from, from + frames * sb), at);
    } else {
      for (let f = 0; f < frames; f++) {
        for (let k = 0; k < sb; k++) d[at + f * sb + k] = patternByte(u.patternFrame + off + f, c * sb + k);
      }
    }
  }
}

/** A read: `frames` frames from buffer offset `hwoff`, laid out like the caller's buffer would hold
 * them (channel-major with a stride of `frames` when non-interleaved). */
export function copyToUser(rt: Runtime, interleaved: boolean, hwoff: number, frames: number): Uint8Array {
  const d = dma(rt);
  if (interleaved) return d.slice(hwoff * rt.frameBytes, (hwoff + frames) * rt.frameBytes);
  const sb = rt.sampleBytes;
  const out = new Uint8Array(frames * rt.frameBytes);
  for (let c = 0; c < rt.channels; c++) {
    const at = area(rt, c) + hwoff * sb;
    out.set(d.subarray(at, at + frames * sb), c * frames * sb);
  }
  return out;
}

/** Joins the chunks of a read into the caller's layout for `xfer` frames in all. */
export function joinRead(rt: Runtime, interleaved: boolean, chunks: Uint8Array[], xfer: number): Uint8Array {
  const res = new Uint8Array(xfer * rt.frameBytes);
  if (interleaved) {
    let at = 0;
    for (const c of chunks) {
      res.set(c, at);
      at += c.length;
    }
    return res;
  }
  const sb = rt.sampleBytes;
  let f0 = 0;
  for (const chunk of chunks) {
    const n = chunk.length / rt.frameBytes;
    for (let c = 0; c < rt.channels; c++) res.set(chunk.subarray(c * n * sb, (c + 1) * n * sb), (c * xfer + f0) * sb);
    f0 += n;
  }
  return res;
}
