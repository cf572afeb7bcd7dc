// Options of the ring core and the hardware it pretends to be (snd_pcm_hardware per direction).
import { resolveMemory, type BufferSetup, type HwCaps, type MemoryInfo, type ResolvedMemory } from '../../spec/device.ts';
import type { StreamDir } from '../../spec/abi/states.ts';
import type { RingFault } from './faults.ts';

export interface RingCoreOptions {
  /** Which kernel's rules to follow where 6.1 and 7.2 differ (PVERSION, PAUSE push, silence fill). */
  follows?: '7.2' | '6.1';
  /** Per-direction driver capabilities; a direction set to `null` does not exist (OPEN → ENOENT).
   * A direction left out gets `DEFAULT_CAPS`. */
  streams?: Partial<Record<StreamDir, HwCaps | null>>;
  /** Playback frames the device consumes flow into the capture stream (see cable.ts). */
  loopback?: boolean;
  /** Record what the playback device consumes, for `takeSink()` (default true). */
  sink?: boolean;
  /** How many periods a blocking call lets a device run before the harness gives up and sends a
   * signal (the call then answers EINTR or its partial count). Default 1 << 20. */
  waitLimitPeriods?: number;
  /** Run writeFrames()/advance() on small integers where the stream allows (fast.ts; default true).
   * Turning it off runs them on the exact path: only the differential test needs that. */
  fastLane?: boolean;
  /** The card's buffers: each direction's preallocation, max_alloc_per_card, the allocator's
   * budget, whether DMA needs syncing (spec/device.ts MemoryInfo and its defaults). */
  memory?: MemoryInfo;
  /** Record driver callbacks, allocations and DMA view accesses for the inspection API
   * (`takeCalls()`, `takeDma()`); default false. */
  trace?: boolean;
  /** A deliberate departure from the kernel (faults.ts), for the suite's mutant tests only. */
  fault?: RingFault;
  /** The other end of the virtual devices, for benchmarks (see DevicePort). */
  port?: DevicePort;
  /** Allocate DMA buffers in a SharedArrayBuffer, so that another thread can play the device
   * (`RingCoreDevice.dmaArea()`); nothing else changes. */
  sharedDma?: boolean;
}

/** What the devices play and record, beyond the sink and the loopback cable. */
export interface DevicePort {
  /** Called with each run of interleaved frames the playback device consumes, after the sink and
   * the cable have had them: a view of the DMA buffer, valid only during the call. */
  play?: (frames: Uint8Array) => void;
  /** Fills each run of interleaved frames the capture device records without loopback, in place of
   * the test pattern: a view of the device's buffer, valid only during the call. */
  record?: (frames: Uint8Array) => void;
}

export interface ResolvedOptions {
  follows: '7.2' | '6.1';
  streams: Partial<Record<StreamDir, HwCaps>>;
  loopback: boolean;
  sink: boolean;
  waitLimitPeriods: number;
  fastLane: boolean;
  memory: ResolvedMemory;
  /** The memory as given, for DeviceInfo. */
  memoryInfo: MemoryInfo;
  trace: boolean;
  fault: RingFault | null;
  port: DevicePort;
  sharedDma: boolean;
}

/** The reference device: snd-dummy-like, able to pause and resume, mappable. */
export const DEFAULT_CAPS: Readonly<HwCaps> = Object.freeze({
  info: ['MMAP', 'MMAP_VALID', 'INTERLEAVED', 'NONINTERLEAVED', 'PAUSE', 'RESUME'],
  formats: ['S16_LE', 'S32_LE', 'U8'],
  rates: { min: 8000, max: 192000 },
  channels: { min: 1, max: 8 },
  buffer_bytes_max: 1 << 20,
  period_bytes: { min: 64, max: 512 * 1024 },
  periods: { min: 1, max: 1024 },
}) as HwCaps;

export function copyCaps(c: HwCaps): HwCaps {
  return {
    info: [...c.info],
    formats: [...c.formats],
    rates: c.rates.list ? { min: c.rates.min, max: c.rates.max, list: [...c.rates.list] } : { min: c.rates.min, max: c.rates.max },
    channels: { ...c.channels },
    buffer_bytes_max: c.buffer_bytes_max,
    period_bytes: { ...c.period_bytes },
    periods: { ...c.periods },
  };
}

/** A copy of `m` (plain data two levels deep), by hand like copyCaps: structuredClone costs more
 * than a short conformance path. */
export function copyMemoryInfo(m: MemoryInfo): MemoryInfo {
  const out: MemoryInfo = { ...m };
  if (m.buffers) {
    const buffers: MemoryInfo['buffers'] = {};
    for (const [d, b] of Object.entries(m.buffers) as [StreamDir, BufferSetup | undefined][]) buffers[d] = b && { ...b };
    out.buffers = buffers;
  }
  return out;
}

export function resolveOptions(o: RingCoreOptions = {}): ResolvedOptions {
  const streams: Partial<Record<StreamDir, HwCaps>> = {};
  for (const dir of ['PLAYBACK', 'CAPTURE'] as const) {
    const given = o.streams?.[dir];
    if (given === null) continue;
    streams[dir] = copyCaps(given ?? DEFAULT_CAPS);
  }
  const waitLimitPeriods = o.waitLimitPeriods ?? 1 << 20;
  if (!Number.isSafeInteger(waitLimitPeriods) || waitLimitPeriods < 1) {
    throw new RangeError(`waitLimitPeriods must be a positive integer, not ${waitLimitPeriods}`);
  }
  return {
    follows: o.follows ?? '7.2',
    streams,
    loopback: o.loopback ?? false,
    sink: o.sink ?? true,
    waitLimitPeriods,
    fastLane: o.fastLane ?? true,
    memory: resolveMemory(o.memory),
    memoryInfo: copyMemoryInfo(o.memory ?? {}),
    trace: o.trace ?? false,
    fault: o.fault ?? null,
    port: { ...o.port },
    sharedDma: o.sharedDma ?? false,
  };
}
