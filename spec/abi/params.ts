// Access modes, formats, info flags and hw_params indices: include/uapi/sound/asound.h (Linux 7.2).

export const ACCESS = ['MMAP_INTERLEAVED', 'MMAP_NONINTERLEAVED', 'MMAP_COMPLEX', 'RW_INTERLEAVED', 'RW_NONINTERLEAVED'] as const;
export type Access = (typeof ACCESS)[number];
export const ACCESS_VALUE: Readonly<Record<Access, number>> = Object.fromEntries(ACCESS.map((a, i) => [a, i])) as Record<Access, number>;
export const isMmapAccess = (a: Access) => a.startsWith('MMAP_');

/** The formats the reference devices use, with their SNDRV_PCM_FORMAT_* value and physical width in bits. */
export const FORMATS = {
  S8: { value: 0, bits: 8 },
  U8: { value: 1, bits: 8 },
  S16_LE: { value: 2, bits: 16 },
  S16_BE: { value: 3, bits: 16 },
  S24_LE: { value: 6, bits: 32 },
  S32_LE: { value: 10, bits: 32 },
  FLOAT_LE: { value: 14, bits: 32 },
  S24_3LE: { value: 32, bits: 24 },
} as const;
export type Format = keyof typeof FORMATS;

/** SNDRV_PCM_INFO_* flags the spec refers to. */
export const INFO = {
  MMAP: 0x00000001,
  MMAP_VALID: 0x00000002,
  DOUBLE: 0x00000004,
  BATCH: 0x00000010,
  SYNC_APPLPTR: 0x00000020,
  PERFECT_DRAIN: 0x00000040, // 7.2 only
  INTERLEAVED: 0x00000100,
  NONINTERLEAVED: 0x00000200,
  COMPLEX: 0x00000400,
  BLOCK_TRANSFER: 0x00010000,
  OVERRANGE: 0x00020000,
  RESUME: 0x00040000,
  PAUSE: 0x00080000,
  HALF_DUPLEX: 0x00100000,
  JOINT_DUPLEX: 0x00200000,
  SYNC_START: 0x00400000,
  NO_PERIOD_WAKEUP: 0x00800000,
  EXPLICIT_SYNC: 0x10000000,
  NO_REWINDS: 0x20000000,
  DRAIN_TRIGGER: 0x40000000,
  FIFO_IN_FRAMES: 0x80000000,
} as const;
export type InfoFlag = keyof typeof INFO;

/** SNDRV_PCM_HW_PARAM_* indices: masks 0..2, intervals 8..19. */
export const HW_PARAM = {
  ACCESS: 0,
  FORMAT: 1,
  SUBFORMAT: 2,
  SAMPLE_BITS: 8,
  FRAME_BITS: 9,
  CHANNELS: 10,
  RATE: 11,
  PERIOD_TIME: 12,
  PERIOD_SIZE: 13,
  PERIOD_BYTES: 14,
  PERIODS: 15,
  BUFFER_TIME: 16,
  BUFFER_SIZE: 17,
  BUFFER_BYTES: 18,
  TICK_TIME: 19,
} as const;

/** SNDRV_PCM_TSTAMP_* and SNDRV_PCM_TSTAMP_TYPE_* limits checked by SW_PARAMS and TTSTAMP. */
export const TSTAMP_LAST = 1;
export const TSTAMP_TYPE_LAST = 2;

/** LONG_MAX on x86_64, the ceiling of the 64-bit boundary (snd_pcm_hw_params). */
export const LONG_MAX = (1n << 63n) - 1n;
/** 0x7fffffff: the ceiling of the 32-bit compat boundary (recalculate_boundary). */
export const COMPAT_LONG_MAX = 0x7fffffffn;
