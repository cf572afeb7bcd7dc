// The backends `alsa-spec check` and `replay` can run, by name and profile.
import type { BufferSetup, DmaType, HwCaps, PcmBackend } from '../spec/device.ts';
import { DEFAULT_CAPS, ringCoreBackend, type RingCoreBackend, type RingCoreOptions, type RingFault } from '../reference/ring-core/index.ts';
import { wallClockRing } from '../reference/ring-core/wallclock.ts';

/** A device without the optional features: playback only, no mmap, pause or resume, no rewinds,
 * appl_ptr updates by SYNC_PTR only — the other side of every capability premise. */
export const BASIC_CAPS: HwCaps = {
  info: ['INTERLEAVED', 'NO_REWINDS', 'SYNC_APPLPTR'],
  formats: ['S16_LE'],
  rates: { min: 44100, max: 48000, list: [44100, 48000] },
  channels: { min: 1, max: 2 },
  buffer_bytes_max: 256 * 1024,
  period_bytes: { min: 64, max: 64 * 1024 },
  periods: { min: 2, max: 32 },
};

/** snd-dummy's snd_pcm_hardware (sound/drivers/dummy.c) in the reference's formats: 64 KiB at most. */
export const DUMMY_CAPS: HwCaps = {
  info: ['MMAP', 'MMAP_VALID', 'INTERLEAVED', 'RESUME'],
  formats: ['S16_LE', 'U8'],
  rates: { min: 5500, max: 48000 },
  channels: { min: 1, max: 2 },
  buffer_bytes_max: 64 * 1024,
  period_bytes: { min: 64, max: 64 * 1024 },
  periods: { min: 1, max: 1024 },
};

const dummyStreams = { PLAYBACK: DUMMY_CAPS, CAPTURE: DUMMY_CAPS };
const managed = (type: DmaType, size: number, max: number): BufferSetup => ({ managed: true, type, size, max });
const both = (b: BufferSetup) => ({ PLAYBACK: b, CAPTURE: b });
const KiB = 1024;

/** Devices whose buffers the buffer and sync suites exercise (spec/pcm/managed.md, sync.md). Card
 * limits are small, so that ENOMEM is reachable with one 64 KiB stream. */
export const MEMORY_PROFILES = {
  /** snd-dummy with fake_buffer=0: managed CONTINUOUS buffers allocated on demand, at most 64 KiB. */
  dummy: { streams: dummyStreams, memory: { buffers: both(managed('CONTINUOUS', 0, 64 * KiB)), maxAllocPerCard: 60 * KiB } },
  /** The same under Linux 6.1's rules (the prealloc write's simple_strtoul()). */
  'dummy-6.1': { follows: '6.1', streams: dummyStreams, memory: { buffers: both(managed('CONTINUOUS', 0, 64 * KiB)), maxAllocPerCard: 60 * KiB } },
  /** A 32 KiB preallocation that proc writes may change up to 64 KiB, under an unaligned limit. */
  prealloc: { streams: dummyStreams, memory: { buffers: both(managed('DEV', 32 * KiB, 64 * KiB)), maxAllocPerCard: 45000 } },
  /** 64 KiB per direction asked for, 100 KiB of memory: capture's preallocation falls back to 32. */
  fallback: { streams: dummyStreams, memory: { buffers: both(managed('DEV', 64 * KiB, 64 * KiB)), budget: 100 * KiB } },
  /** snd_pcm_set_fixed_buffer(): exactly 16 KiB, no proc files; a driver that cannot mmap. */
  fixed: {
    streams: { PLAYBACK: { ...DUMMY_CAPS, info: ['INTERLEAVED'] }, CAPTURE: { ...DUMMY_CAPS, info: ['INTERLEAVED'] } },
    memory: { buffers: both(managed('VMALLOC', 16 * KiB, 0)) },
  },
  /** snd_pcm_lib_preallocate_pages(): the driver allocates in its own callbacks. */
  legacy: { streams: dummyStreams, memory: { buffers: both({ managed: false, type: 'CONTINUOUS', size: 16 * KiB, max: 64 * KiB }), maxAllocPerCard: 60 * KiB } },
  /** snd-aloop's VMALLOC buffers allocated on demand (the default), under a 48 KiB limit. */
  aloop: { streams: dummyStreams, loopback: true, memory: { maxAllocPerCard: 48 * KiB } },
  /** A preallocated NONCOHERENT buffer on a platform that needs syncing: opened with EXPLICIT_SYNC. */
  noncoherent: { streams: dummyStreams, loopback: true, memory: { buffers: both(managed('NONCOHERENT', 64 * KiB, 64 * KiB)), needSync: true } },
  /** The same allocated on demand: its buffers need syncing, yet no EXPLICIT_SYNC (sync.explicit.managed). */
  'noncoherent-on-demand': { streams: dummyStreams, loopback: true, memory: { buffers: both(managed('NONCOHERENT', 0, 64 * KiB)), needSync: true } },
} as const satisfies Record<string, Parameters<typeof ringCoreBackend>[0]>;

export const RING_PROFILES = {
  /** Both directions, every feature, playback looped back into capture (the data tests need it). */
  full: { loopback: true },
  /** Linux 6.1's rules where they differ (PVERSION, PAUSE push, silence fill). */
  '6.1': { loopback: true, follows: '6.1' },
  basic: { streams: { PLAYBACK: BASIC_CAPS, CAPTURE: null } },
  ...MEMORY_PROFILES,
} as const satisfies Record<string, Parameters<typeof ringCoreBackend>[0]>;

/** The full device with a clock that is not the test's (reference/ring-core/wallclock.ts): its
 * hardware moves between and after calls by seeded amounts, as a real device's does, so the PCM
 * suite runs as on a real kernel (device.advance.observed), without a virtual machine. */
export const WALL_PROFILE = 'wall';

export type RingProfile = keyof typeof RING_PROFILES | typeof WALL_PROFILE;
export const DEFAULT_RING_PROFILES: readonly RingProfile[] = ['full', 'basic', '6.1', WALL_PROFILE];
export const RING_PROFILE_NAMES: readonly RingProfile[] = [...(Object.keys(RING_PROFILES) as RingProfile[]), WALL_PROFILE];

export class UsageError extends Error {}

const unknown = (name: string) => new UsageError(`unknown ring-core profile '${name}' (profiles: ${RING_PROFILE_NAMES.join(', ')})`);

/** A ring core with a virtual clock, by profile. */
export function ringProfile(name: string, fault?: RingFault, extra: { trace?: boolean } = {}): RingCoreBackend {
  if (name === WALL_PROFILE) throw new UsageError(`profile '${WALL_PROFILE}' runs on a wall clock: only the PCM suite takes it`);
  if (!(name in RING_PROFILES)) throw unknown(name);
  return ringCoreBackend({ ...(RING_PROFILES[name as keyof typeof RING_PROFILES] as RingCoreOptions), ...(fault ? { fault } : {}), ...extra });
}

/** The backend the PCM suite and replay run for a ring-core profile, the wall clock included. */
export function pcmProfile(name: string, fault?: RingFault): PcmBackend {
  if (name === WALL_PROFILE) return wallClockRing({ ...RING_PROFILES.full, ...(fault ? { fault } : {}) });
  return ringProfile(name, fault);
}

export { DEFAULT_CAPS };
