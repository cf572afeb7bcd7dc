// The fast lane: the benchmark data path (`writeFrames`, `advance`) on small integers.
//
// While a stream runs in a plain configuration — RUNNING, interleaved, no silence filling, no
// NO_PERIOD_WAKEUP — its pointers are close together and far from the boundary. The lane then holds
// hw_ptr, hw_ptr_base, hw_ptr_interrupt, appl_ptr and avail_max as numbers relative to a bigint
// epoch (hw_ptr_base when armed, a multiple of buffer_size), so the hot path needs no bigint. It
// implements only the outcomes that change no state: before it mutates anything it works out
// whether the operation stays plain (no xrun, no start, no wait, no wrap at the boundary); if not,
// it folds itself back into the runtime and the exact path does the whole operation. Every other
// entry point folds the lane first (`foldAll`), so the exact code always sees the truth. A
// differential test (test/reference/fast.test.ts) runs the same sequences with the lane on and off.
import { isRunning, type Card, type PcmFile, type Substream } from './card.ts';
import { interleavedLayout } from './buffer.ts';
import { advance as exactAdvance } from './device.ts';
import { fillPattern } from '../../spec/device.ts';
import { silenceByte } from './format.ts';
import type { Runtime } from './runtime.ts';

/** How far from the epoch the lane lets a pointer go before it hands back to the exact path. */
const SPAN = 2 ** 30;
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

export class FastLane {
  constructor(
    readonly epoch: bigint,
    public hw: number,
    public base: number,
    public intr: number,
    public appl: number,
    public availMax: number,
    /** boundary − epoch, capped: a pointer offset that reaches it would wrap. */
    readonly limit: number,
    /** stop_threshold; Infinity when it is beyond any avail the lane can see. */
    readonly stop: number,
    readonly bs: number,
    readonly ps: number,
  ) {}
}

const small = (v: bigint): boolean => v > -BigInt(SPAN) && v < BigInt(SPAN);

function arm(s: Substream): FastLane | null {
  const rt = s.rt;
  if (rt.state !== 'RUNNING' || rt.silenceSize !== 0n || rt.noPeriodWakeup || !interleavedLayout(rt)) return null;
  if (rt.dmaBuffer?.needSync || s.card.recorder.enabled) return null; // two views, or a watched buffer
  const epoch = rt.hwPtrBase;
  const rel = [rt.hwPtr - epoch, rt.hwPtrInterrupt - epoch, rt.applPtr - epoch];
  if (!rel.every(small) || rt.availMax > MAX) return null;
  if (rt.hwPtr >= rt.boundary || rt.applPtr >= rt.boundary || rt.hwPtrInterrupt >= rt.boundary) return null;
  const room = rt.boundary - epoch;
  if (room < 4n * BigInt(SPAN)) return null; // too close to the wrap
  const lane = new FastLane(
    epoch,
    Number(rel[0]),
    0,
    Number(rel[1]),
    Number(rel[2]),
    Number(rt.availMax),
    room > MAX ? Number.MAX_SAFE_INTEGER : Number(room),
    rt.stopThreshold > MAX ? Infinity : Number(rt.stopThreshold),
    rt.bufferSize,
    rt.periodSize,
  );
  const avail = availIn(s, lane, lane.hw);
  if (avail < 0) return null; // the kernel's avail would wrap through the boundary
  rt.lane = lane;
  return lane;
}

/** Writes the lane back into the runtime and disarms it. */
export function fold(rt: Runtime): void {
  const l = rt.lane;
  if (!l) return;
  rt.hwPtr = l.epoch + BigInt(l.hw);
  rt.hwPtrBase = l.epoch + BigInt(l.base);
  rt.hwPtrInterrupt = l.epoch + BigInt(l.intr);
  rt.applPtr = l.epoch + BigInt(l.appl);
  rt.availMax = BigInt(l.availMax);
  rt.lane = null;
}

export function foldAll(card: Card): void {
  for (const s of card.subs) if (s.runtime?.lane) fold(s.runtime);
}

const availIn = (s: Substream, l: FastLane, hw: number): number => (s.playback ? hw + l.bs - l.appl : hw - l.appl);

/** The non-interrupt update at the start of a transfer: the new (hw, base), or null to hand over. */
function entryUpdate(s: Substream, l: FastLane): [number, number] | null {
  let base = l.base;
  let nw = base + s.rt.pos;
  if (nw < l.hw) {
    base += l.bs;
    if (base >= l.limit - l.bs) return null;
    nw = base + s.rt.pos;
  }
  if (nw - l.hw >= l.bs + l.ps) return null;
  return [nw, base];
}

/** WRITEI of `data` on a playback stream; null when the exact path must do it. */
export function fastWrite(s: Substream, file: PcmFile, data: Uint8Array): number | 'EAGAIN' | null {
  const rt = s.rt;
  if (!s.playback || rt.state !== 'RUNNING') return handOver(s);
  const l = rt.lane ?? arm(s);
  if (!l) return handOver(s);
  const fb = rt.frameBytes;
  const frames = data.length / fb;
  const upd = entryUpdate(s, l);
  if (!upd || frames === 0 || !Number.isInteger(frames)) return handOver(s);
  const [nw, base] = upd;
  let availMax = l.availMax;
  const avail = availIn(s, l, nw);
  if (avail < 0) return handOver(s);
  if (nw !== l.hw) {
    if (avail >= l.stop) return handOver(s); // the update finds an xrun
    if (avail > availMax) availMax = avail;
  }
  const n = Math.min(frames, avail);
  if (n < frames && !s.fNonblock) return handOver(s); // it would wait
  if (l.appl + n >= l.limit) return handOver(s); // appl_ptr would wrap
  const after = avail - n;
  if (n === frames) {
    if (after >= l.stop) return handOver(s); // the final update finds an xrun
    if (after > availMax) availMax = after;
  }
  // commit: hw_ptr update, the copy (at most two runs), appl_ptr
  l.hw = nw;
  l.base = base;
  l.availMax = availMax;
  if (n === 0) return 'EAGAIN';
  const dma = rt.dma!;
  const ofs = (((l.appl % l.bs) + l.bs) % l.bs) * fb;
  const first = Math.min(n * fb, dma.length - ofs);
  dma.set(first === data.length ? data : data.subarray(0, first), ofs);
  if (first < n * fb) dma.set(data.subarray(first, n * fb), 0);
  l.appl += n;
  file.patternFrame += n;
  return n;
}

function handOver(s: Substream): null {
  foldAll(s.card);
  return null;
}

/** ADVANCE on the lane; falls back to the exact device for the rest once a step is not plain. */
export function fastAdvance(s: Substream, frames: number): number {
  const rt = s.runtime;
  const l = rt && rt.state === 'RUNNING' ? (rt.lane ?? arm(s)) : null;
  if (!rt || !l) {
    foldAll(s.card);
    return exactAdvance(s, frames);
  }
  let ran = 0;
  while (ran < frames) {
    const toBoundary = l.ps - (rt.pos % l.ps);
    const step = Math.min(frames - ran, toBoundary);
    const irq = step === toBoundary;
    let nw = 0;
    let base = l.base;
    let avail = 0;
    if (irq) {
      const pos = (rt.pos + step) % l.bs;
      nw = base + pos;
      if (nw < l.hw) {
        base += l.bs;
        if (base >= l.limit - l.bs) break;
        nw = base + pos;
      }
      if (nw - l.hw >= l.bs + l.ps || nw < l.intr) break;
      avail = availIn(s, l, nw);
      if (avail < 0 || (nw !== l.hw && avail >= l.stop)) break; // an xrun: the exact path
    }
    move(s, rt.pos, step);
    rt.pos = (rt.pos + step) % l.bs;
    ran += step;
    if (irq && nw !== l.hw) {
      const d = nw - l.intr;
      l.intr += d - (d % l.ps);
      l.base = base;
      l.hw = nw;
      if (avail > l.availMax) l.availMax = avail;
    }
  }
  if (ran === frames) return ran;
  foldAll(s.card);
  return ran + exactAdvance(s, frames - ran);
}

/** device.ts's data movement for a plain interleaved stream. */
function move(s: Substream, ofs: number, frames: number): void {
  const rt = s.rt;
  const card = s.card;
  const fb = rt.frameBytes;
  const dma = rt.dma!;
  if (s.playback) {
    const cap = card.sub('CAPTURE');
    const toCable = card.cable !== null && cap?.runtime != null && isRunning(cap);
    if (!card.sink.enabled && !toCable) return;
    const view = dma.subarray(ofs * fb, (ofs + frames) * fb);
    card.sink.record(view);
    if (toCable) card.cable!.push(view);
    return;
  }
  const dst = dma.subarray(ofs * fb, (ofs + frames) * fb);
  if (card.cable) card.cable.pull(dst, silenceByte(rt.format));
  else fillPattern(dst, rt.sourceFrame, fb);
  rt.sourceFrame += frames;
}

