// x86_64 layouts of the PCM ABI structs, as gcc lays out include/uapi/sound/asound.h (Linux 7.2;
// 6.1 is identical in size and offsets: its hw_params has reserved[64] where 7.2 has sync[16] +
// reserved[48]). Offsets and sizes in bytes. Each field: [offset, size].
// Checked by test/spec/abi.test.ts against gcc when the header is present, and by the real-kernel
// backend against the kernel's own answers.

export type Field = readonly [offset: number, size: number];
export interface Layout {
  readonly size: number;
  readonly fields: Readonly<Record<string, Field>>;
}

export const SND_INTERVAL = { size: 12, fields: { min: [0, 4], max: [4, 4], flags: [8, 4] } } as const satisfies Layout;
export const SND_MASK = { size: 32, fields: { bits: [0, 32] } } as const satisfies Layout;

export const HW_PARAMS = {
  size: 608,
  fields: {
    flags: [0, 4],
    masks: [4, 96], // 3 masks: ACCESS, FORMAT, SUBFORMAT
    mres: [100, 160],
    intervals: [260, 144], // 12 intervals: SAMPLE_BITS .. TICK_TIME
    ires: [404, 108],
    rmask: [512, 4],
    cmask: [516, 4],
    info: [520, 4],
    msbits: [524, 4],
    rate_num: [528, 4],
    rate_den: [532, 4],
    fifo_size: [536, 8],
    sync: [544, 16], // 7.2; part of reserved[64] in 6.1
    reserved: [560, 48],
  },
} as const satisfies Layout;

export const SW_PARAMS = {
  size: 136,
  fields: {
    tstamp_mode: [0, 4],
    period_step: [4, 4],
    sleep_min: [8, 4],
    avail_min: [16, 8],
    xfer_align: [24, 8],
    start_threshold: [32, 8],
    stop_threshold: [40, 8],
    silence_threshold: [48, 8],
    silence_size: [56, 8],
    boundary: [64, 8],
    proto: [72, 4],
    tstamp_type: [76, 4],
    reserved: [80, 56],
  },
} as const satisfies Layout;

/** struct snd_pcm_status (= the kernel's snd_pcm_status64 on x86_64). */
export const STATUS = {
  size: 152,
  fields: {
    state: [0, 4],
    trigger_tstamp: [8, 16],
    tstamp: [24, 16],
    appl_ptr: [40, 8],
    hw_ptr: [48, 8],
    delay: [56, 8],
    avail: [64, 8],
    avail_max: [72, 8],
    overrange: [80, 8],
    suspended_state: [88, 4],
    audio_tstamp_data: [92, 4],
    audio_tstamp: [96, 16],
    driver_tstamp: [112, 16],
    audio_tstamp_accuracy: [128, 4],
    reserved: [132, 20],
  },
} as const satisfies Layout;

/** The mmap'd status page (offset SNDRV_PCM_MMAP_OFFSET_STATUS_NEW). */
export const MMAP_STATUS = {
  size: 56,
  fields: { state: [0, 4], pad1: [4, 4], hw_ptr: [8, 8], tstamp: [16, 16], suspended_state: [32, 4], audio_tstamp: [40, 16] },
} as const satisfies Layout;

/** The mmap'd control page (offset SNDRV_PCM_MMAP_OFFSET_CONTROL_NEW). */
export const MMAP_CONTROL = { size: 16, fields: { appl_ptr: [0, 8], avail_min: [8, 8] } } as const satisfies Layout;

/** struct snd_pcm_sync_ptr on x86_64: flags, then the status and control unions (64 bytes each). */
export const SYNC_PTR = {
  size: 136,
  fields: {
    flags: [0, 4],
    's.state': [8, 4],
    's.hw_ptr': [16, 8],
    's.tstamp': [24, 16],
    's.suspended_state': [40, 4],
    's.audio_tstamp': [48, 16],
    'c.appl_ptr': [72, 8],
    'c.avail_min': [80, 8],
  },
} as const satisfies Layout;

/** struct snd_pcm_sync_ptr32 (sound/core/pcm_native.c, __packed): the compat form, callable natively.
 * Its timestamps are the kernel's `struct __snd_timespec` — two __s32 under __KERNEL__ (asound.h,
 * __SND_STRUCT_TIME64), not a 64-bit userspace timespec: suspended_state is at 24. A real kernel
 * answering SUSPENDED's suspended_state through it showed the 16-byte reading wrong. */
export const SYNC_PTR32 = {
  size: 132,
  fields: {
    flags: [0, 4],
    's.state': [4, 4],
    's.pad1': [8, 4],
    's.hw_ptr': [12, 4],
    's.tstamp': [16, 8],
    's.suspended_state': [24, 4],
    's.audio_tstamp': [28, 8],
    'c.appl_ptr': [68, 4],
    'c.avail_min': [72, 4],
  },
} as const satisfies Layout;

export const XFERI = { size: 24, fields: { result: [0, 8], buf: [8, 8], frames: [16, 8] } } as const satisfies Layout;
export const XFERN = { size: 24, fields: { result: [0, 8], bufs: [8, 8], frames: [16, 8] } } as const satisfies Layout;
export const CHANNEL_INFO = {
  size: 24,
  fields: { channel: [0, 4], offset: [8, 8], first: [16, 4], step: [20, 4] },
} as const satisfies Layout;
export const PCM_INFO = { size: 288, fields: { device: [0, 4], subdevice: [4, 4], stream: [8, 4], card: [12, 4] } } as const satisfies Layout;

/** x86_64 page size: mmap of status/control must be exactly PAGE_ALIGN(sizeof(...)). */
export const PAGE_SIZE = 4096;
