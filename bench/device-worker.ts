// The device thread of the cross-thread benchmarks: it consumes periods from shared memory as fast
// as they are queued, into a buffer of its own, and says after each period how many it has
// consumed (publishing once per batch of queued periods was slower: the threads overlap less).
// It waits as handoff.ts does.
// - `ring`: the ring core's DMA buffer (a SharedArrayBuffer). Period k sits at slot k mod periods;
//   the main thread says how many periods it has written (ctl[WRITTEN]) and tells the ring core
//   about each period this thread consumed (ctl[CONSUMED]) with advance(). It consumes a period as
//   soon as one is queued, as ringbuf.js's consumer does (the stream is free-running, so a device
//   that caught up with the writer is not an xrun: it never plays a frame that was not written).
// - `ringbuf`: ringbuf.js's queue; it pops whole periods.
import { parentPort } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { CONSUMED, DEVICE_WAITS, MAIN_WAITS, WRITTEN, publish, waitChange } from './handoff.ts';

export interface DeviceJob {
  kind: 'ring' | 'ringbuf';
  /** The DMA buffer (ring) or ringbuf.js's storage (ringbuf). */
  sab: SharedArrayBuffer;
  ctl: SharedArrayBuffer;
  period: number;
  periods: number;
  total: number;
  /** Compare each period with the frames periodOf() gives it (bench/data.ts). */
  verify: boolean;
}

export interface DeviceDone {
  consumed: number;
  /** Periods whose frames were not the ones expected (verify only). */
  wrong: number;
}

function run(job: DeviceJob): DeviceDone {
  const ctl = new Int32Array(job.ctl);
  const { period, periods, total } = job;
  const out = new Uint8Array(period * 4);
  const out32 = new Uint32Array(out.buffer);
  let wrong = 0;
  const check = (k: number) => {
    if (out32[0] !== k * period || out32[period - 1] !== k * period + period - 1) wrong++;
  };
  let k = 0;
  if (job.kind === 'ring') {
    const dma = new Uint8Array(job.sab);
    const views = Array.from({ length: periods }, (_, i) => dma.subarray(i * period * 4, (i + 1) * period * 4));
    let slot = 0;
    let w = 0; // what the writer had written when last asked
    while (k < total) {
      if (k === w && (w = Atomics.load(ctl, WRITTEN)) === k) {
        w = waitChange(ctl, WRITTEN, k, DEVICE_WAITS);
        continue;
      }
      out.set(views[slot]!);
      if (job.verify) check(k);
      if (++slot === periods) slot = 0;
      publish(ctl, CONSUMED, ++k, MAIN_WAITS);
    }
  } else {
    const rb = new RingBuffer(job.sab, Uint32Array);
    while (k < total) {
      if (rb.available_read() < period) {
        waitChange(ctl, WRITTEN, k, DEVICE_WAITS);
        continue;
      }
      rb.pop(out32, period);
      if (job.verify) check(k);
      publish(ctl, CONSUMED, ++k, MAIN_WAITS);
    }
  }
  return { consumed: k, wrong };
}

parentPort?.on('message', (job: DeviceJob) => parentPort!.postMessage(run(job)));
