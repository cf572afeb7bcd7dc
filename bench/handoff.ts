// How the two threads of the cross-thread benchmarks tell each other about progress: counters in
// a shared Int32Array, each on a cache line of its own, and a wait that spins first and then
// sleeps. On a quiet machine the spin catches everything; on a busy one (this 2-core machine is
// shared) a thread that only spun would burn its time slice while the thread it waits for has
// none, and both variants would measure the scheduler.

/** Periods the main thread has written (pushed). */
export const WRITTEN = 0;
/** Periods the device thread has consumed (popped). */
export const CONSUMED = 16;
/** Set while the main thread (the device thread) sleeps in wait(). */
export const MAIN_WAITS = 32;
export const DEVICE_WAITS = 48;

export const newControl = (): Int32Array => new Int32Array(new SharedArrayBuffer(64 * 4));

const SPIN = 2000;

/** Waits until ctl[at] differs from `seen` and returns it: spins, then sleeps (flag set). */
export function waitChange(ctl: Int32Array, at: number, seen: number, flag: number): number {
  for (let i = 0; i < SPIN; i++) {
    const v = Atomics.load(ctl, at);
    if (v !== seen) return v;
  }
  Atomics.store(ctl, flag, 1);
  Atomics.wait(ctl, at, seen, 5); // returns at once if the value has moved on
  Atomics.store(ctl, flag, 0);
  return Atomics.load(ctl, at);
}

/** Publishes ctl[at] = v and wakes the other thread if it sleeps on it. */
export function publish(ctl: Int32Array, at: number, v: number, flag: number): void {
  Atomics.store(ctl, at, v);
  if (Atomics.load(ctl, flag) !== 0) Atomics.notify(ctl, at);
}
