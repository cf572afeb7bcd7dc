// The ring core's data path on one thread, against the copy limit and ringbuf.js.
//
// Frames are S16_LE stereo (4 bytes), the buffer holds 4 periods, and every loop moves one period
// per iteration:
// - `set`: one TypedArray.set of a period's bytes (the copy the limit is made of);
// - two copies: a period into a 4-period buffer and one out of it, nothing else (the limit with the
//   ring's memory footprint: periods of 4096 frames no longer fit the L1 cache four at a time);
// - ring core playback: writeFrames() of a period (copy 1: the caller's frames into the DMA buffer),
//   then advance() by a period (the device consumes it: copy 2, through the port into the device's
//   own buffer, and the period interrupt);
// - ring core capture: advance() by a period (the device records: copy 1, from the device's buffer
//   through the port), then readFrames() of a period (copy 2: into the caller's buffer);
// - ringbuf.js: push() of a period, pop() of a period (Uint32Array elements, one per frame: the
//   element type that moves the most bytes per element, which favours its element-wise pop).
// Each keeps two periods queued, so nothing waits. A checked run before the timed one verifies that
// every frame arrives, in order, where it should.
import { RingBuffer } from 'ringbuf.js';
import { ringCoreBackend, type RingCoreDevice } from '../reference/ring-core/index.ts';
import type { Body } from './harness.ts';

export const FRAME_BYTES = 4;
export const PERIODS = 4;

export const hwConfig = (period: number) =>
  ({ access: 'RW_INTERLEAVED', format: 'S16_LE', channels: 2, rate: 48000, period_size: period, periods: PERIODS }) as const;

/** A period of distinct frames: frame f of period k holds k · period + f. */
export function periodOf(period: number, k: number, into: Uint8Array = new Uint8Array(period * FRAME_BYTES)): Uint8Array {
  const v = new Uint32Array(into.buffer, into.byteOffset, period);
  for (let f = 0; f < period; f++) v[f] = k * period + f;
  return into;
}

function must(ok: boolean, what: string): void {
  if (!ok) throw new Error(`benchmark invariant: ${what}`);
}

export interface Loop {
  /** Runs n periods; returns the frames moved. */
  body: Body;
  /** A short run with distinct data, compared frame by frame. */
  verify(): void;
}

function openStream(dev: RingCoreDevice, stream: 'PLAYBACK' | 'CAPTURE', period: number): void {
  must(dev.exec({ type: 'OPEN', fd: 0, stream, nonblock: true }).ok === true, 'OPEN');
  must(dev.exec({ type: 'HW_PARAMS', fd: 0, params: hwConfig(period) }).ok === true, 'HW_PARAMS');
  must(dev.exec({ type: 'PREPARE', fd: 0 }).ok === true, 'PREPARE');
}

export function copyLoop(period: number): Loop {
  const src = periodOf(period, 1);
  const dst = new Uint8Array(period * FRAME_BYTES);
  return {
    body(n) {
      for (let i = 0; i < n; i++) dst.set(src);
      return n * period;
    },
    verify() {
      dst.set(src);
      must(dst.every((b, i) => b === src[i]), 'set copies');
    },
  };
}

/** The copies a ring must make, and nothing else: a period into slot k of a 4-period buffer, and
 * slot k − 2 out of it (the copy-twice limit with the ring's memory footprint). */
export function twoCopyLoop(period: number): Loop {
  const bytes = period * FRAME_BYTES;
  const src = periodOf(period, 0);
  const ring = new Uint8Array(PERIODS * bytes);
  const slots = Array.from({ length: PERIODS }, (_, k) => ring.subarray(k * bytes, (k + 1) * bytes));
  const out = new Uint8Array(bytes);
  let k = 0;
  return {
    body(n) {
      for (let i = 0; i < n; i++) {
        ring.set(src, k * bytes);
        out.set(slots[(k + 2) & 3]!);
        k = (k + 1) & 3;
      }
      return n * period;
    },
    verify() {
      for (let j = 0; j < 8; j++) {
        ring.set(periodOf(period, j), k * bytes);
        out.set(slots[k]!);
        must(out.every((b, i) => b === ring[k * bytes + i]), 'two copies');
        k = (k + 1) & 3;
      }
    },
  };
}

export function ringPlaybackLoop(period: number): Loop {
  const played = new Uint8Array(period * FRAME_BYTES);
  const dev = ringCoreBackend({ sink: false, streams: { CAPTURE: null }, port: { play: (v) => played.set(v) } }).open();
  openStream(dev, 'PLAYBACK', period);
  const src = periodOf(period, 0);
  for (let k = 0; k < 2; k++) must(dev.writeFrames(0, src) === period, 'prefill'); // the first write starts the stream
  return {
    body(n) {
      for (let i = 0; i < n; i++) {
        if (dev.writeFrames(0, src) !== period) throw new Error('writeFrames moved less than a period');
        if (dev.advance(0, period) !== period) throw new Error('advance ran less than a period');
      }
      return n * period;
    },
    verify() {
      const d = ringCoreBackend({ sink: false, streams: { CAPTURE: null }, port: { play: (v) => played.set(v) } }).open();
      openStream(d, 'PLAYBACK', period);
      for (let k = 0; k < 2; k++) must(d.writeFrames(0, periodOf(period, k)) === period, 'prefill');
      const want = new Uint8Array(period * FRAME_BYTES);
      for (let k = 2; k < 40; k++) {
        must(d.writeFrames(0, periodOf(period, k)) === period, 'write');
        must(d.advance(0, period) === period, 'advance');
        periodOf(period, k - 2, want);
        must(played.every((b, i) => b === want[i]), `period ${k - 2} played in order`);
      }
      must(d.debug(0).state === 'RUNNING', 'still running');
    },
  };
}

export function ringCaptureLoop(period: number): Loop {
  let source = periodOf(period, 0);
  const into = new Uint8Array(period * FRAME_BYTES);
  const port = { record: (v: Uint8Array) => v.set(v.length === source.length ? source : source.subarray(0, v.length)) };
  const open = () => {
    const dev = ringCoreBackend({ sink: false, streams: { PLAYBACK: null }, port }).open();
    openStream(dev, 'CAPTURE', period);
    must(dev.exec({ type: 'START', fd: 0 }).ok === true, 'START');
    return dev;
  };
  const dev = open();
  return {
    body(n) {
      for (let i = 0; i < n; i++) {
        if (dev.advance(0, period) !== period) throw new Error('advance ran less than a period');
        if (dev.readFrames(0, into) !== period) throw new Error('readFrames moved less than a period');
      }
      return n * period;
    },
    verify() {
      const d = open();
      for (let k = 0; k < 40; k++) {
        source = periodOf(period, k);
        must(d.advance(0, period) === period, 'advance');
        must(d.readFrames(0, into) === period, 'read');
        must(into.every((b, i) => b === source[i]), `period ${k} read in order`);
      }
      source = periodOf(period, 0);
    },
  };
}

export function ringbufLoop(period: number): Loop {
  const make = () => new RingBuffer(RingBuffer.getStorageForCapacity(PERIODS * period, Uint32Array), Uint32Array);
  const rb = make();
  const src = new Uint32Array(periodOf(period, 0).buffer);
  const out = new Uint32Array(period);
  for (let k = 0; k < 2; k++) must(rb.push(src) === period, 'prefill');
  return {
    body(n) {
      for (let i = 0; i < n; i++) {
        if (rb.push(src) !== period) throw new Error('push moved less than a period');
        if (rb.pop(out) !== period) throw new Error('pop moved less than a period');
      }
      return n * period;
    },
    verify() {
      const r = make();
      for (let k = 0; k < 2; k++) must(r.push(new Uint32Array(periodOf(period, k).buffer)) === period, 'prefill');
      for (let k = 2; k < 40; k++) {
        must(r.push(new Uint32Array(periodOf(period, k).buffer)) === period, 'push');
        must(r.pop(out) === period, 'pop');
        const want = new Uint32Array(periodOf(period, k - 2).buffer);
        must(out.every((v, i) => v === want[i]), `period ${k - 2} popped in order`);
      }
    },
  };
}
