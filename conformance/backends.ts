// The backends `alsa-spec check` and `replay` can run, by name and profile.
import type { HwCaps, PcmBackend } from '../spec/device.ts';
import { DEFAULT_CAPS, ringCoreBackend, type RingFault } from '../reference/ring-core/index.ts';
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

export const RING_PROFILES = {
  /** Both directions, every feature, playback looped back into capture (the data tests need it). */
  full: { loopback: true },
  /** Linux 6.1's rules where they differ (PVERSION, PAUSE push, silence fill). */
  '6.1': { loopback: true, follows: '6.1' },
  basic: { streams: { PLAYBACK: BASIC_CAPS, CAPTURE: null } },
} as const satisfies Record<string, Parameters<typeof ringCoreBackend>[0]>;

/** The full device with a clock that is not the test's (reference/ring-core/wallclock.ts): its
 * hardware moves between and after calls by seeded amounts, as a real device's does, so the suite
 * runs as on a real kernel (device.advance.observed), without a virtual machine. */
export const WALL_PROFILE = 'wall';

export type RingProfile = keyof typeof RING_PROFILES | typeof WALL_PROFILE;
export const DEFAULT_RING_PROFILES: readonly RingProfile[] = ['full', 'basic', '6.1', WALL_PROFILE];

export class UsageError extends Error {}

export const RING_PROFILE_NAMES: readonly RingProfile[] = [...(Object.keys(RING_PROFILES) as (keyof typeof RING_PROFILES)[]), WALL_PROFILE];

export function ringProfile(name: string, fault?: RingFault, seed = 1): PcmBackend {
  if (name === WALL_PROFILE) return wallClockRing({ ...RING_PROFILES.full, ...(fault ? { fault } : {}) }, { seed });
  if (!(name in RING_PROFILES)) {
    throw new UsageError(`unknown ring-core profile '${name}' (profiles: ${RING_PROFILE_NAMES.join(', ')})`);
  }
  return ringCoreBackend({ ...RING_PROFILES[name as keyof typeof RING_PROFILES], ...(fault ? { fault } : {}) });
}

export { DEFAULT_CAPS };
