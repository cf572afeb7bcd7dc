// Compress-offload ABI facts on x86_64 (include/uapi/sound/compress_offload.h and
// compress_params.h, Linux 7.2): struct layouts, ioctl numbers, the accel direction, task states
// and task flags. Measured with gcc against the 7.2 uapi headers (copied to a temp dir, compiled
// with -D__user= -D__packed=...); test/accel/abi.test.ts recomputes the ioctl numbers from the
// layouts and re-measures with gcc when the headers are present.
// Linux 6.1 has no accel API: no SND_COMPRESS_ACCEL, no TASK_* ioctls, no task structs
// (SNDRV_COMPRESS_VERSION is 0.2.0 there).
import type { Layout } from './structs.ts';

/** enum snd_compr_direction. An accel stream is opened O_RDWR (snd_compr_open()). */
export const COMPRESS_DIRECTION = { PLAYBACK: 0, CAPTURE: 1, ACCEL: 2 } as const;
export type CompressDirection = keyof typeof COMPRESS_DIRECTION;

/** enum snd_compr_state: the state of one accel task. */
export const TASK_STATES = ['IDLE', 'ACTIVE', 'FINISHED'] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const TASK_STATE_VALUE: Readonly<Record<TaskState, number>> = { IDLE: 0, ACTIVE: 1, FINISHED: 2 };

export function taskStateName(value: number): TaskState {
  const s = TASK_STATES[value];
  if (s === undefined) throw new RangeError(`not an snd_compr_state value: ${value}`);
  return s;
}

/** SND_COMPRESS_TFLG_* flags of struct snd_compr_task. */
export const TASK_FLAG = { NEW_STREAM: 1 << 0 } as const;

/** SNDRV_COMPRESS_VERSION answered by SNDRV_COMPRESS_IOCTL_VERSION. */
export const COMPRESS_VERSION = { '7.2': (0 << 16) | (4 << 8) | 1, '6.1': (0 << 16) | (2 << 8) | 0 } as const;

/** SND_AUDIOCODEC_PCM and SND_AUDIOCODEC_MAX (= SND_AUDIOCODEC_OPUS_RAW in 7.2). */
export const AUDIOCODEC = { PCM: 1, MAX: 17 } as const;

/** snd_compress_check_input(): the "safe value" bounding `fragments` for an accel stream. */
export const ACCEL_MAX_FRAGMENTS = 64;

/** struct snd_compressed_buffer (packed, aligned(4)). */
export const COMPRESSED_BUFFER = { size: 8, fields: { fragment_size: [0, 4], fragments: [4, 4] } } as const satisfies Layout;

/** struct snd_codec (packed, aligned(4)); `options.src_d.out_sample_rate` is the first word of options. */
export const CODEC = {
  size: 120,
  fields: {
    id: [0, 4],
    ch_in: [4, 4],
    ch_out: [8, 4],
    sample_rate: [12, 4],
    bit_rate: [16, 4],
    rate_control: [20, 4],
    profile: [24, 4],
    level: [28, 4],
    ch_mode: [32, 4],
    format: [36, 4],
    align: [40, 4],
    options: [44, 64],
    'options.src_d.out_sample_rate': [44, 4],
    pcm_format: [108, 4],
    reserved: [112, 8],
  },
} as const satisfies Layout;

/** struct snd_compr_params. */
export const COMPR_PARAMS = {
  size: 132,
  fields: { buffer: [0, 8], codec: [8, 120], no_wake_mode: [128, 1] },
} as const satisfies Layout;

/** struct snd_compr_caps. */
export const COMPR_CAPS = {
  size: 196,
  fields: {
    num_codecs: [0, 4],
    direction: [4, 4],
    min_fragment_size: [8, 4],
    max_fragment_size: [12, 4],
    min_fragments: [16, 4],
    max_fragments: [20, 4],
    codecs: [24, 128],
    reserved: [152, 44],
  },
} as const satisfies Layout;

/** struct snd_compr_task: the argument of TASK_CREATE and TASK_START. */
export const COMPR_TASK = {
  size: 52,
  fields: {
    seqno: [0, 8],
    origin_seqno: [8, 8],
    input_fd: [16, 4],
    output_fd: [20, 4],
    input_size: [24, 8],
    flags: [32, 4],
    reserved: [36, 16],
  },
} as const satisfies Layout;

/** struct snd_compr_task_status: the argument of TASK_STATUS. */
export const COMPR_TASK_STATUS = {
  size: 44,
  fields: {
    seqno: [0, 8],
    input_size: [8, 8],
    output_size: [16, 8],
    output_flags: [24, 4],
    state: [28, 1],
    reserved: [29, 15],
  },
} as const satisfies Layout;

/** Sizes of the streaming-ioctl arguments that only matter for their ioctl numbers. */
export const COMPR_ARG_SIZE = {
  codec_caps: 11144, // struct snd_compr_codec_caps
  metadata: 36, // struct snd_compr_metadata
  tstamp: 20, // struct snd_compr_tstamp
  avail: 28, // struct snd_compr_avail
  tstamp64: 32, // struct snd_compr_tstamp64
  avail64: 40, // struct snd_compr_avail64
} as const;

const NONE = 0, WRITE = 1, READ = 2;
const ioc = (dir: number, nr: number, size: number) => ((dir << 30) | (size << 16) | (0x43 /* 'C' */ << 8) | nr) >>> 0;
const io = (nr: number) => ioc(NONE, nr, 0);
const ior = (nr: number, size: number) => ioc(READ, nr, size);
const iow = (nr: number, size: number) => ioc(WRITE, nr, size);
const iowr = (nr: number, size: number) => ioc(READ | WRITE, nr, size);

/** SNDRV_COMPRESS_* ioctl numbers on x86_64. */
export const COMPRESS_IOCTL = {
  IOCTL_VERSION: ior(0x00, 4),
  GET_CAPS: iowr(0x10, COMPR_CAPS.size),
  GET_CODEC_CAPS: iowr(0x11, COMPR_ARG_SIZE.codec_caps),
  SET_PARAMS: iow(0x12, COMPR_PARAMS.size),
  GET_PARAMS: ior(0x13, CODEC.size),
  SET_METADATA: iow(0x14, COMPR_ARG_SIZE.metadata),
  GET_METADATA: iowr(0x15, COMPR_ARG_SIZE.metadata),
  TSTAMP: ior(0x20, COMPR_ARG_SIZE.tstamp),
  AVAIL: ior(0x21, COMPR_ARG_SIZE.avail),
  TSTAMP64: ior(0x22, COMPR_ARG_SIZE.tstamp64),
  AVAIL64: ior(0x23, COMPR_ARG_SIZE.avail64),
  PAUSE: io(0x30),
  RESUME: io(0x31),
  START: io(0x32),
  STOP: io(0x33),
  DRAIN: io(0x34),
  NEXT_TRACK: io(0x35),
  PARTIAL_DRAIN: io(0x36),
  TASK_CREATE: iowr(0x60, COMPR_TASK.size),
  TASK_FREE: iow(0x61, 8),
  TASK_START: iowr(0x62, COMPR_TASK.size),
  TASK_STOP: iow(0x63, 8),
  TASK_STATUS: iowr(0x68, COMPR_TASK_STATUS.size),
} as const;
export type CompressIoctlName = keyof typeof COMPRESS_IOCTL;

/** The streaming ioctls of playback/capture streams, which an accel stream refuses with ENOTTY. */
export const STREAMING_IOCTLS = [
  'TSTAMP',
  'TSTAMP64',
  'AVAIL',
  'AVAIL64',
  'PAUSE',
  'RESUME',
  'START',
  'STOP',
  'DRAIN',
  'NEXT_TRACK',
  'PARTIAL_DRAIN',
] as const satisfies readonly CompressIoctlName[];
export type StreamingIoctl = (typeof STREAMING_IOCTLS)[number];

/** poll(2) revents bits (include/uapi/asm-generic/poll.h; EPOLL* share the values). */
export const POLL = {
  IN: 0x0001,
  OUT: 0x0004,
  ERR: 0x0008,
  HUP: 0x0010,
  NVAL: 0x0020,
  RDNORM: 0x0040,
  WRNORM: 0x0100,
} as const;

/** What poll(2) reports of a driver's mask: the requested events plus ERR, HUP and NVAL
 * (fs/select.c `do_pollfd()`). */
export function pollReport(ready: number, events: number = POLL.IN | POLL.OUT | POLL.RDNORM | POLL.WRNORM): number {
  return ready & (events | POLL.ERR | POLL.HUP | POLL.NVAL);
}

/** The values gcc reported for the 7.2 headers on x86_64 (test/accel/abi.test.ts compares). */
export const COMPRESS_IOCTL_MEASURED: Readonly<Record<CompressIoctlName, number>> = {
  IOCTL_VERSION: 0x80044300,
  GET_CAPS: 0xc0c44310,
  GET_CODEC_CAPS: 0xeb884311,
  SET_PARAMS: 0x40844312,
  GET_PARAMS: 0x80784313,
  SET_METADATA: 0x40244314,
  GET_METADATA: 0xc0244315,
  TSTAMP: 0x80144320,
  AVAIL: 0x801c4321,
  TSTAMP64: 0x80204322,
  AVAIL64: 0x80284323,
  PAUSE: 0x00004330,
  RESUME: 0x00004331,
  START: 0x00004332,
  STOP: 0x00004333,
  DRAIN: 0x00004334,
  NEXT_TRACK: 0x00004335,
  PARTIAL_DRAIN: 0x00004336,
  TASK_CREATE: 0xc0344360,
  TASK_FREE: 0x40084361,
  TASK_START: 0xc0344362,
  TASK_STOP: 0x40084363,
  TASK_STATUS: 0xc02c4368,
};
