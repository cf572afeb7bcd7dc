// The data path across threads: this thread is the application (and, for the ring core, the PCM
// core), a worker thread is the device, and the frames cross in a SharedArrayBuffer.
// - ring core: a session with `sharedDma` and a free-running stream (stop_threshold = boundary:
//   the worker consumes whatever is queued, as ringbuf.js's consumer does, so a device that caught
//   up with the writer is no xrun). This thread writes a period with writeFrames() whenever there
//   is room and, when there is none, calls advance() with the periods the worker says it consumed,
//   which runs the period interrupts (the core moves no data itself: nobody in this thread reads it). The worker copies
//   each period out of the DMA buffer (device-worker.ts).
// - ringbuf.js: this thread push()es periods while there is room, the worker pop()s whole periods.
// Both sides publish their progress after each period and wait as handoff.ts does; the figure is the frames that reached
// the worker per second of this thread's wall time. A checked round with distinct frames runs first.
import { Worker } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { ringCoreBackend } from '../reference/ring-core/index.ts';
import { FRAME_BYTES, PERIODS, hwConfig, periodOf } from './data.ts';
import type { DeviceDone, DeviceJob } from './device-worker.ts';
import { CONSUMED, DEVICE_WAITS, MAIN_WAITS, WRITTEN, newControl, publish, waitChange } from './handoff.ts';
import { median, type BenchOptions } from './harness.ts';

export class DeviceThread {
  private readonly worker: Worker;
  private pending: ((d: DeviceDone) => void) | null = null;

  constructor() {
    this.worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
      workerData: { entry: new URL('./device-worker.ts', import.meta.url).href },
    });
    this.worker.on('message', (d: DeviceDone) => {
      const p = this.pending;
      this.pending = null;
      p?.(d);
    });
    this.worker.on('error', (e) => {
      throw e;
    });
  }

  start(job: DeviceJob): Promise<DeviceDone> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.worker.postMessage(job);
    });
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

export interface Round {
  frames: number;
  seconds: number;
  wrong: number;
}

/** One run of `total` periods through the ring core, the worker being the device. */
export async function ringRound(dev: DeviceThread, period: number, total: number, verify: boolean): Promise<Round> {
  const core = ringCoreBackend({ sink: false, streams: { CAPTURE: null }, sharedDma: true }).open();
  core.exec({ type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  core.exec({ type: 'HW_PARAMS', fd: 0, params: hwConfig(period) });
  const boundary = core.debug(0).boundary;
  const sw = { avail_min: BigInt(period), start_threshold: 1n, stop_threshold: boundary, silence_threshold: 0n, silence_size: 0n };
  if (!core.exec({ type: 'SW_PARAMS', fd: 0, params: sw }).ok) throw new Error('SW_PARAMS');
  core.exec({ type: 'PREPARE', fd: 0 });
  const dma = core.dmaArea(0)!;
  const ctl = newControl();
  const done = dev.start({ kind: 'ring', sab: dma.buffer as SharedArrayBuffer, ctl: ctl.buffer as SharedArrayBuffer, period, periods: PERIODS, total, verify });
  const src = periodOf(period, 0);
  let written = 0;
  let advanced = 0;
  const t0 = performance.now();
  while (advanced < total) {
    if (written < total) {
      if (verify) periodOf(period, written, src);
      const r = core.writeFrames(0, src);
      if (r === period) {
        publish(ctl, WRITTEN, ++written, DEVICE_WAITS);
        continue;
      }
      if (r !== 'EAGAIN') throw new Error(`writeFrames: ${r}`);
    }
    // the buffer is full (or everything is written): the interrupts of what the device consumed
    let c = Atomics.load(ctl, CONSUMED);
    if (c === advanced) c = waitChange(ctl, CONSUMED, advanced, MAIN_WAITS);
    if (c > advanced) {
      if (core.advance(0, (c - advanced) * period) !== (c - advanced) * period) throw new Error('the device stopped');
      advanced = c;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const d = await done;
  const state = core.debug(0).state;
  if (state !== 'RUNNING') throw new Error(`the stream ended in ${state}`);
  return { frames: d.consumed * period, seconds, wrong: d.wrong };
}

/** One run of `total` periods through ringbuf.js to the worker. */
export async function ringbufRound(dev: DeviceThread, period: number, total: number, verify: boolean): Promise<Round> {
  const sab = RingBuffer.getStorageForCapacity(PERIODS * period, Uint32Array);
  const rb = new RingBuffer(sab, Uint32Array);
  const ctl = newControl();
  const done = dev.start({ kind: 'ringbuf', sab, ctl: ctl.buffer as SharedArrayBuffer, period, periods: PERIODS, total, verify });
  const bytes = periodOf(period, 0);
  const src = new Uint32Array(bytes.buffer);
  let pushed = 0;
  const t0 = performance.now();
  let seen = 0;
  while (pushed < total) {
    if (rb.available_write() >= period) {
      if (verify) periodOf(period, pushed, bytes);
      rb.push(src, period);
      publish(ctl, WRITTEN, ++pushed, DEVICE_WAITS);
    } else {
      seen = waitChange(ctl, CONSUMED, seen, MAIN_WAITS);
    }
  }
  while ((seen = Atomics.load(ctl, CONSUMED)) < total) waitChange(ctl, CONSUMED, seen, MAIN_WAITS);
  const seconds = (performance.now() - t0) / 1000;
  const d = await done;
  return { frames: d.consumed * period, seconds, wrong: d.wrong };
}

/** Frames per second of each variant: calibrated rounds, interleaved, median. */
export async function threadThroughput(
  dev: DeviceThread,
  period: number,
  o: BenchOptions,
): Promise<{ ring: number; ringbuf: number }> {
  const variants = { ring: ringRound, ringbuf: ringbufRound };
  const totals: Record<string, number> = {};
  for (const [k, f] of Object.entries(variants)) {
    const checked = await f(dev, period, 64, true);
    if (checked.wrong > 0 || checked.frames !== 64 * period) throw new Error(`${k}: ${checked.wrong} periods arrived wrong`);
    const probe = await f(dev, period, 2000, false);
    totals[k] = Math.max(50, Math.round((2000 * o.roundMs) / 1000 / probe.seconds));
  }
  const rates: Record<string, number[]> = { ring: [], ringbuf: [] };
  for (let r = 0; r < o.rounds; r++) {
    for (const [k, f] of Object.entries(variants)) {
      const x = await f(dev, period, totals[k]!, false);
      rates[k]!.push(x.frames / x.seconds);
    }
  }
  return { ring: median(rates.ring!), ringbuf: median(rates.ringbuf!) };
}

export { FRAME_BYTES };
