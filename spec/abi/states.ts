// PCM states and stream directions: include/uapi/sound/asound.h (Linux 7.2 and 6.1 agree).

/** `snd_pcm_state_t` values, in kernel order (SNDRV_PCM_STATE_*). */
export const PCM_STATES = [
  'OPEN',
  'SETUP',
  'PREPARED',
  'RUNNING',
  'XRUN',
  'DRAINING',
  'PAUSED',
  'SUSPENDED',
  'DISCONNECTED',
] as const;

export type PcmState = (typeof PCM_STATES)[number];

/** The numeric value the kernel stores in `runtime->state` and the mmap'd status page. */
export const PCM_STATE_VALUE: Readonly<Record<PcmState, number>> = Object.fromEntries(
  PCM_STATES.map((s, i) => [s, i]),
) as Record<PcmState, number>;

export function pcmStateName(value: number): PcmState {
  const s = PCM_STATES[value];
  if (s === undefined) throw new RangeError(`not a snd_pcm_state_t value: ${value}`);
  return s;
}

/** SNDRV_PCM_STREAM_PLAYBACK = 0, SNDRV_PCM_STREAM_CAPTURE = 1. */
export const STREAMS = ['PLAYBACK', 'CAPTURE'] as const;
export type StreamDir = (typeof STREAMS)[number];
