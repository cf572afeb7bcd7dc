// Simulated time: how fast the ring core's virtual device runs when nobody checks the data.
//
// A playback stream that runs free (stop_threshold = boundary) on a device nobody listens to
// (no sink, no port, no loopback): advance() only moves the pointers and runs the period
// interrupts. The application keeps appl_ptr with the device by FORWARD (no data).
// - stepped: advance() of one period per call, every interrupt simulated;
// - jumped: advance() of 2^52 frames per call, which the core runs in closed form (jump.ts);
// - crossing: the wall time until hw_ptr and appl_ptr have both crossed the 32-bit compat
//   boundary (what SYNC_PTR shows a 32-bit process wraps there) and the 64-bit boundary, checked
//   against the values the kernel's arithmetic gives.
import { ringCoreBackend, type RingCoreDevice } from '../reference/ring-core/index.ts';
import { hwConfig, PERIODS } from './data.ts';
import { median, type BenchOptions } from './harness.ts';

export const JUMP = 2 ** 52;

export function freeRunning(period: number): { dev: RingCoreDevice; boundary: bigint } {
  const dev = ringCoreBackend({ sink: false, streams: { CAPTURE: null } }).open();
  const ok = (c: Parameters<RingCoreDevice['exec']>[0]) => {
    const r = dev.exec(c);
    if (r instanceof Promise || !r.ok) throw new Error(`${c.type} failed`);
    return r;
  };
  ok({ type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  ok({ type: 'HW_PARAMS', fd: 0, params: hwConfig(period) });
  const boundary = dev.debug(0).boundary;
  ok({ type: 'SW_PARAMS', fd: 0, params: { avail_min: BigInt(period), start_threshold: 1n, stop_threshold: boundary, silence_threshold: 0n, silence_size: 0n } });
  ok({ type: 'PREPARE', fd: 0 });
  ok({ type: 'START', fd: 0 });
  return { dev, boundary };
}

/** Virtual frames per wall second, advancing one period per call (and a FORWARD per buffer). */
export function steppedRate(period: number, o: BenchOptions): number {
  const { dev } = freeRunning(period);
  const fw = { type: 'FORWARD', fd: 0, frames: BigInt(PERIODS * period) } as const;
  const rates: number[] = [];
  const buffers = Math.max(1, Math.round((o.quick ? 2e7 : 2e8) / (PERIODS * period)));
  for (let r = 0; r < o.rounds; r++) {
    const t0 = performance.now();
    for (let b = 0; b < buffers; b++) {
      for (let k = 0; k < PERIODS; k++) if (dev.advance(0, period) !== period) throw new Error('the device stopped');
      dev.exec(fw);
    }
    rates.push((buffers * PERIODS * period) / ((performance.now() - t0) / 1000));
  }
  return median(rates);
}

/** Virtual frames per wall second, advancing 2^52 frames per call (and as much FORWARD). */
export function jumpedRate(period: number, o: BenchOptions): number {
  const { dev } = freeRunning(period);
  const fw = { type: 'FORWARD', fd: 0, frames: BigInt(JUMP) } as const;
  const rates: number[] = [];
  for (let r = 0; r < o.rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) {
      if (dev.advance(0, JUMP) !== JUMP) throw new Error('the device stopped');
      dev.exec(fw);
    }
    rates.push((200 * JUMP) / ((performance.now() - t0) / 1000));
  }
  return median(rates);
}

export interface Crossing {
  /** Wall seconds until both pointers had crossed. */
  seconds: number;
  /** Frames of virtual time it took. */
  frames: bigint;
  calls: number;
}

/**
 * Runs a fresh free-running stream in steps of `step` frames (each followed by a FORWARD of as
 * much) until hw_ptr and appl_ptr have both wrapped at `wrapAt` (the boundary, or the compat
 * boundary as SYNC_PTR shows it to a 32-bit process); checks both against the arithmetic.
 */
export function crossing(period: number, step: number, which: '64' | 'compat32'): Crossing {
  const { dev, boundary } = freeRunning(period);
  const fw = { type: 'FORWARD', fd: 0, frames: BigInt(step) } as const;
  const sync = { type: 'SYNC_PTR', fd: 0, flags: 6, appl_ptr: 0n, avail_min: 0n, compat32: true } as const;
  let virtual = 0n;
  let calls = 0;
  const t0 = performance.now();
  for (;;) {
    if (dev.advance(0, step) !== step) throw new Error('the device stopped');
    const r = dev.exec(fw);
    if (r instanceof Promise || !r.ok || r.value !== BigInt(step)) throw new Error('FORWARD fell short');
    virtual += BigInt(step);
    calls++;
    if (which === '64') {
      if (virtual >= boundary) break;
    } else {
      const s = dev.exec(sync);
      if (s instanceof Promise || !s.ok || !s.sync) throw new Error('SYNC_PTR failed');
      if (s.sync.hw_ptr < BigInt(step) && virtual > BigInt(step)) {
        if (s.sync.appl_ptr !== s.sync.hw_ptr) throw new Error('the compat view of appl_ptr did not wrap with hw_ptr');
        break;
      }
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const v = dev.debug(0);
  if (v.hw_ptr !== virtual % boundary || v.appl_ptr !== virtual % boundary) {
    throw new Error(`after ${virtual} frames hw_ptr ${v.hw_ptr} and appl_ptr ${v.appl_ptr}, not ${virtual % boundary}`);
  }
  return { seconds, frames: virtual, calls };
}
