// The fast lane: the benchmark data path (`writeFrames`, `readFrames`, `advance`) on small integers.
//
// While a stream runs in a plain configuration — RUNNING, interleaved, no silence filling, no
// NO_PERIOD_WAKEUP, one view of its buffer (no need_sync), no recorder, no fault — its pointers
// are close together and far from the boundary. The lane then holds hw_ptr, hw_ptr_base,
// hw_ptr_interrupt, appl_ptr and avail_max as numbers relative to a bigint epoch (hw_ptr_base when
// armed, a multiple of buffer_size), so the hot path needs no bigint. It
// implements only the outcomes that change no state: before it mutates anything it works out
// whether the operation stays plain (no xrun, no start, no wait, no wrap at the boundary); if not,
// it folds itself back into the runtime and the exact path does the whole operation. Every other
// entry point folds the lane first (`foldAll`), so the exact code always sees the truth. Long
// quiet runs of a playback device jump in closed form (jump.ts). A differential test
// (test/reference/fast.test.ts) runs the same sequences with the lane on and off.
import { isRunning, type Card, type PcmFile, type Substream } from './card.ts';
import { interleavedLayout } from './buffer.ts';
import { advance as exactAdvance } from './device.ts';
import { fillPattern } from '../../spec/device.ts';
import { silenceByte } from './format.ts';
import { jumpPlayback, JUMP_MIN_PERIODS } from './jump.ts';
import type { Runtime } from './runtime.ts';

/** How far from the epoch the lane lets a pointer go before it hands back to the exact path. */
const SPAN = 2 ** 30;
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

export class FastLane {
  /** Views of the DMA buffer, one per period (a run of exactly one period at a period boundary is
   * the steady state; views cost more than the copies of small periods). */
  readonly views: (Uint8Array | undefined)[] = [];
  /** appl_ptr mod buffer_size, the device position mod period_size and its period: kept by
   * addition, because the divisions they replace cost as much as the rest of a small period. */
  applOfs: number;
  pip: number;
  pk: number;
  /** The byte count of the last transfer and its frames (the same size, call after call). */
  lastBytes = -1;
  lastFrames = 0;

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
    readonly fb: number,
    readonly dma: Uint8Array,
    /** READI/WRITEI may use the lane: RW_INTERLEAVED, or one channel (pcm.xfer.access). */
    readonly rw: boolean,
    pos: number,
  ) {
    const a = appl % bs;
    this.applOfs = a < 0 ? a + bs : a;
    this.pip = pos % ps;
    this.pk = (pos - this.pip) / ps;
  }
}

const small = (v: bigint): boolean => v > -BigInt(SPAN) && v < BigInt(SPAN);

function arm(s: Substream, rt: Runtime): FastLane | null {
  if (rt.state !== 'RUNNING' || rt.silenceSize !== 0n || rt.noPeriodWakeup || !interleavedLayout(rt) || !rt.dma) return null;
  // Two views (need_sync: the copies must cross at the sync points), a watched buffer (the
  // recorder logs every access and sync), or a deliberate fault: the exact path only.
  if (rt.dmaBuffer?.needSync || s.card.recorder.enabled || s.card.opts.fault !== null) return null;
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
    rt.frameBytes,
    rt.dma,
    rt.access === 'RW_INTERLEAVED' || rt.channels === 1,
    rt.pos,
  );
  const avail = s.playback ? lane.hw + lane.bs - lane.appl : lane.hw - lane.appl;
  if (avail < 0) return null; // the kernel's avail would wrap through the boundary
  rt.lane = lane;
  return lane;
}

/** The stream's lane, armed if it can be, and rebased once its offsets pass SPAN: beyond 2^31 they
 * would leave V8's small integers and every % on them would become a call to fmod. */
function laneOf(s: Substream, rt: Runtime): FastLane | null {
  const l = rt.lane;
  if (l === null) return arm(s, rt);
  if (l.base < SPAN) return l;
  fold(rt);
  return arm(s, rt);
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
  const subs = card.subs;
  for (let i = 0; i < subs.length; i++) {
    const rt = subs[i]!.runtime;
    if (rt !== null && rt.lane !== null) fold(rt);
  }
}

function handOver(s: Substream): null {
  foldAll(s.card);
  return null;
}

/** A view of `frames` frames at buffer offset `ofs` (no wrap); `k` is ofs / period_size when the
 * run starts at a period boundary, else -1. */
function viewOf(l: FastLane, ofs: number, frames: number, k: number): Uint8Array {
  if (k >= 0 && frames === l.ps) return l.views[k] ?? (l.views[k] = l.dma.subarray(ofs * l.fb, (ofs + frames) * l.fb));
  return l.dma.subarray(ofs * l.fb, (ofs + frames) * l.fb);
}

/** The view of a transfer's run at appl_ptr's offset. */
const applView = (l: FastLane, at: number, frames: number): Uint8Array =>
  viewOf(l, at, frames, frames === l.ps && at % frames === 0 ? at / frames : -1);

/**
 * The plain part of a transfer on the lane: the non-interrupt hw_ptr update at its start, how many
 * frames move, and the update at its end. Returns the frames to move (the lane's pointers already
 * updated, appl_ptr not yet), 'EAGAIN', or null when the exact path must do the transfer.
 */
function plainTransfer(s: Substream, rt: Runtime, l: FastLane, bytes: number): number | 'EAGAIN' | null {
  // whole frames only, and kept an integer: a fractional count would make the pointers doubles,
  // and every % on them a call to fmod
  if (!l.rw || bytes === 0) return null;
  let frames = l.lastFrames;
  if (bytes !== l.lastBytes) {
    if (bytes % l.fb !== 0) return null;
    frames = (bytes / l.fb) | 0;
    l.lastBytes = bytes;
    l.lastFrames = frames;
  }
  // snd_pcm_update_hw_ptr(): the position as the driver reports it, with the buffer wrap
  let base = l.base;
  let nw = base + rt.pos;
  if (nw < l.hw) {
    base += l.bs;
    if (base >= l.limit - l.bs) return null;
    nw = base + rt.pos;
  }
  if (nw - l.hw >= l.bs + l.ps) return null;
  const playback = s.playback;
  const avail = playback ? nw + l.bs - l.appl : nw - l.appl;
  if (avail < 0) return null;
  let availMax = l.availMax;
  if (nw !== l.hw) {
    if (avail >= l.stop) return null; // the update finds an xrun
    if (avail > availMax) availMax = avail;
  }
  const n = frames < avail ? frames : avail;
  if (n < frames && !s.fNonblock) return null; // it would wait
  if (n > l.bs) return null; // the transfer laps the buffer (an xrun-free overrun)
  if (l.appl + n >= l.limit) return null; // appl_ptr would wrap
  if (n === frames) {
    const after = avail - n; // snd_pcm_update_state() after the transfer
    if (after >= l.stop) return null;
    if (after > availMax) availMax = after;
  }
  l.hw = nw;
  l.base = base;
  l.availMax = availMax;
  return n === 0 ? 'EAGAIN' : n;
}

/** WRITEI of `data` on a playback stream; null when the exact path must do it. */
export function fastWrite(s: Substream, file: PcmFile, data: Uint8Array): number | 'EAGAIN' | null {
  const rt = s.runtime;
  if (rt === null || rt.state !== 'RUNNING' || !s.playback) return handOver(s);
  const l = laneOf(s, rt);
  if (l === null) return handOver(s);
  const fb = l.fb;
  const n = plainTransfer(s, rt, l, data.length);
  if (n === null) return handOver(s);
  if (n === 'EAGAIN') return n;
  const dma = l.dma;
  const bytes = n * fb;
  const ofs = l.applOfs * fb;
  const first = dma.length - ofs;
  if (bytes <= first) dma.set(bytes === data.length ? data : data.subarray(0, bytes), ofs);
  else {
    dma.set(data.subarray(0, first), ofs);
    dma.set(data.subarray(first, bytes), 0);
  }
  advanceAppl(l, n);
  file.patternFrame += n;
  return n;
}

function advanceAppl(l: FastLane, n: number): void {
  l.appl += n;
  const a = l.applOfs + n;
  l.applOfs = a >= l.bs ? a - l.bs : a;
}

/** READI into `into` on a capture stream; null when the exact path must do it. */
export function fastRead(s: Substream, file: PcmFile, into: Uint8Array): number | 'EAGAIN' | null {
  const rt = s.runtime;
  if (rt === null || rt.state !== 'RUNNING' || s.playback) return handOver(s);
  const l = laneOf(s, rt);
  if (l === null) return handOver(s);
  const n = plainTransfer(s, rt, l, into.length);
  if (n === null) return handOver(s);
  if (n === 'EAGAIN') return n;
  const at = l.applOfs;
  const first = l.bs - at;
  if (n <= first) into.set(applView(l, at, n));
  else {
    into.set(applView(l, at, first));
    into.set(applView(l, 0, n - first), first * l.fb);
  }
  advanceAppl(l, n);
  file.patternFrame += n;
  return n;
}

/** ADVANCE on the lane; falls back to the exact device for the rest once a step is not plain. A
 * long run of a quiet playback device from a period boundary jumps (jump.ts), once per call. */
export function fastAdvance(s: Substream, frames: number, jump = true): number {
  const rt = s.runtime;
  const l = rt !== null && rt.state === 'RUNNING' ? laneOf(s, rt) : null;
  if (rt === null || l === null) {
    foldAll(s.card);
    return exactAdvance(s, frames);
  }
  let ran = 0;
  while (ran < frames) {
    const toBoundary = l.ps - l.pip;
    if (jump && toBoundary === l.ps && frames - ran >= JUMP_MIN_PERIODS * l.ps && l.intr === l.hw && l.hw === l.base + rt.pos && quiet(s, rt)) {
      foldAll(s.card);
      const jumped = jumpPlayback(s, frames - ran);
      return ran + jumped + fastAdvance(s, frames - ran - jumped, false);
    }
    const step = frames - ran < toBoundary ? frames - ran : toBoundary;
    const irq = step === toBoundary;
    let pos = rt.pos + step;
    if (pos >= l.bs) pos -= l.bs;
    let nw = 0;
    let base = l.base;
    let avail = 0;
    if (irq) {
      nw = base + pos;
      if (nw < l.hw) {
        base += l.bs;
        if (base >= l.limit - l.bs) break;
        nw = base + pos;
      }
      if (nw - l.hw >= l.bs + l.ps || nw < l.intr) break;
      avail = s.playback ? nw + l.bs - l.appl : nw - l.appl;
      if (avail < 0 || (nw !== l.hw && avail >= l.stop)) break; // an xrun: the exact path
    }
    move(s, rt, l, rt.pos, step, l.pip === 0 ? l.pk : -1);
    rt.pos = pos;
    ran += step;
    if (irq) {
      l.pip = 0;
      l.pk = pos === 0 ? 0 : l.pk + 1;
      if (nw !== l.hw) {
        // hw_ptr_interrupt moves by whole periods: one, in the steady state
        const d = nw - l.intr;
        l.intr += d < l.ps ? 0 : d < 2 * l.ps ? l.ps : d - (d % l.ps);
        l.base = base;
        l.hw = nw;
        if (avail > l.availMax) l.availMax = avail;
      }
    } else {
      l.pip += step;
    }
  }
  if (ran === frames) return ran;
  foldAll(s.card);
  return ran + exactAdvance(s, frames - ran);
}

/** A running playback stream whose device moves no data anyone can see: nobody reads what it
 * plays (no sink, no loopback into a running capture, no port) and no silence is filled. */
function quiet(s: Substream, rt: Runtime): boolean {
  const card = s.card;
  if (!s.playback || rt.silenceSize !== 0n || rt.noPeriodWakeup || card.sink.enabled || card.opts.port.play !== undefined) return false;
  const cap = card.capture;
  return card.cable === null || cap === undefined || cap.runtime === null || !isRunning(cap);
}

/** device.ts's data movement for a plain interleaved stream. */
function move(s: Substream, rt: Runtime, l: FastLane, ofs: number, frames: number, k: number): void {
  const card = s.card;
  const port = card.opts.port;
  if (s.playback) {
    const cap = card.capture;
    const toCable = card.cable !== null && cap !== undefined && cap.runtime !== null && isRunning(cap);
    if (!card.sink.enabled && !toCable && port.play === undefined) return;
    const view = viewOf(l, ofs, frames, k);
    card.sink.record(view);
    if (toCable) card.cable!.push(view);
    if (port.play !== undefined) port.play(view);
    return;
  }
  const dst = viewOf(l, ofs, frames, k);
  if (card.cable) card.cable.pull(dst, silenceByte(rt.format));
  else if (port.record !== undefined) port.record(dst);
  else fillPattern(dst, rt.sourceFrame, l.fb);
  rt.sourceFrame += frames;
}
