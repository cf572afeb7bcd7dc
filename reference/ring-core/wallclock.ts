// The ring core with a clock that is not the caller's: between and after its calls the hardware of
// every running stream moves by itself, by seeded random amounts, the way a real device's does
// while a harness is busy. The device says so (virtualClock: false), so a conformance runner must
// follow it by observation (device.advance.observed), exactly as on a real kernel; this backend
// tests that machinery without a virtual machine, deterministically.
import type { Command, DeviceInfo, Outcome, PcmBackend, PcmDevice } from '../../spec/device.ts';
import { ringCoreBackend, type RingCoreOptions } from './index.ts';
import type { RingCoreDevice } from './session.ts';

export interface WallClockOptions {
  /** Seed of the device's own progress; every session starts from it, so a command sequence
   * replayed on a fresh session meets the same progress. */
  seed?: number;
  /** Chance, per call, that the hardware moves before the call (and, separately, after it). */
  rate?: number;
}

/** mulberry32: a small, well-distributed 32-bit PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FDS = 2;

class WallClockDevice implements PcmDevice {
  readonly info: DeviceInfo;
  /** Period size per fd, from the HW_PARAMS the device accepted. */
  private readonly periods = new Map<number, number>();
  /** The next PEEK is the first after a command: the hardware may have moved in between. */
  private afterCommand = false;

  constructor(private readonly inner: RingCoreDevice, private readonly random: () => number, private readonly rate: number) {
    this.info = { ...inner.info, device: 'ring-core-wallclock', virtualClock: false };
  }

  /** Time passes: up to half a period of the largest period set, the same for every stream (one
   * clock drives the card, as one timer drives both ends of an snd-aloop cable). */
  private drift(): void {
    const period = Math.max(0, ...this.periods.values());
    if (period === 0 || this.random() >= this.rate) return;
    const frames = Math.floor((this.random() * period) / 2) + 1;
    for (let fd = 0; fd < FDS; fd++) {
      if (!this.periods.has(fd)) continue;
      this.inner.exec({ type: 'ADVANCE', fd, frames }); // a stream that does not run stays put
    }
  }

  exec(cmd: Command): Outcome {
    if (cmd.type === 'PEEK') {
      if (this.afterCommand) this.drift();
      this.afterCommand = false;
      return this.inner.exec(cmd);
    }
    this.drift();
    const out = this.inner.exec(cmd);
    this.afterCommand = true;
    if (cmd.type === 'HW_PARAMS' && out.ok && out.hw) this.periods.set(cmd.fd, out.hw.period_size);
    if (cmd.type === 'CLOSE' && out.ok) this.periods.delete(cmd.fd);
    return out;
  }

  dispose(): void {
    this.inner.dispose();
  }
}

export function wallClockRing(options: RingCoreOptions = {}, clock: WallClockOptions = {}): PcmBackend & { played(): Promise<Uint8Array> } {
  const inner = ringCoreBackend(options);
  const rate = clock.rate ?? 0.5;
  return {
    name: 'ring-core-wallclock',
    open: () => new WallClockDevice(inner.open(), prng(clock.seed ?? 1), rate),
    played: () => inner.played(),
    shutdown: () => inner.shutdown(),
  };
}
