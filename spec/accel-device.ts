// The AccelDevice seam: the one interface an accel backend implements (the reference accelerator,
// a real kernel with an accel driver, an out-of-process implementation) and the only way the
// conformance suite reaches one. As in ./device.ts, commands are data: the same objects are model
// events, fast-check commands and replay lines. Seqnos and sizes of type __u64 are bigint.
import type { Errno } from './abi/errno.ts';
import type { StreamingIoctl, TaskState } from './abi/compress.ts';

/** The access mode of open(2); it selects the compress direction (O_RDWR = SND_COMPRESS_ACCEL). */
export type OpenMode = 'O_RDONLY' | 'O_WRONLY' | 'O_RDWR';

/** struct snd_codec: the fields the core checks and an accel driver reads. Formats are
 * SNDRV_PCM_FORMAT_* values, so that values no driver knows can be sent. */
export interface AccelCodec {
  /** SND_AUDIOCODEC_* (PCM = 1). */
  id: number;
  ch_in: number;
  ch_out: number;
  /** Input rate in Hz. */
  sample_rate: number;
  /** Input sample format (`codec.format`). */
  format: number;
  /** Output sample format (`codec.pcm_format`). */
  pcm_format: number;
  /** Output rate in Hz (`codec.options.src_d.out_sample_rate`). */
  out_sample_rate: number;
}

/** struct snd_compr_params. */
export interface AccelParams {
  fragment_size: number;
  fragments: number;
  codec: AccelCodec;
}

/** The caller's half of struct snd_compr_task (TASK_CREATE and TASK_START read these). */
export interface TaskArg {
  seqno: bigint;
  origin_seqno: bigint;
  input_size: bigint;
  flags: number;
}

/** struct snd_compr_task as copied back to the caller. */
export interface TaskValue extends TaskArg {
  /** TASK_CREATE: the new dma-buf descriptors (a model answers -1, "some descriptor"). TASK_START
   * leaves them as the caller passed them; the seam's caller passes none, so they read -1. */
  input_fd: number;
  output_fd: number;
}

/** struct snd_compr_task_status as copied back. */
export interface TaskStatusValue {
  seqno: bigint;
  input_size: bigint;
  output_size: bigint;
  output_flags: number;
  state: TaskState;
}

/** struct snd_compr_caps. */
export interface AccelCaps {
  num_codecs: number;
  direction: number;
  min_fragment_size: number;
  max_fragment_size: number;
  min_fragments: number;
  max_fragments: number;
  codecs: number[];
}

/** Calls on the stream file, named after the ioctl or syscall they issue. */
export type StreamCommand =
  | { type: 'OPEN'; mode: OpenMode }
  | { type: 'CLOSE' }
  | { type: 'IOCTL_VERSION' }
  | { type: 'GET_CAPS' }
  | { type: 'GET_PARAMS' }
  | { type: 'SET_METADATA' | 'GET_METADATA'; key: number }
  | { type: 'SET_PARAMS'; params: AccelParams }
  | { type: 'TASK_CREATE'; task: TaskArg }
  | { type: 'TASK_START'; task: TaskArg }
  | { type: 'TASK_STOP'; seqno: bigint }
  | { type: 'TASK_FREE'; seqno: bigint }
  /** `output_flags` is what the caller leaves in the struct (echoed by the core). */
  | { type: 'TASK_STATUS'; seqno: bigint; output_flags?: number }
  /** The playback/capture ioctls an accel stream refuses. */
  | { type: StreamingIoctl }
  /** read(2) / write(2) / mmap(2) of the stream file. */
  | { type: 'READ' | 'WRITE' | 'MMAP'; bytes: number }
  /** poll(2) with the requested `events` (default: IN, OUT, RDNORM, WRNORM); revents is what is
   * ready among them, plus ERR and NVAL, which are always reported. Without `timeout` it does not
   * wait; with one (ms) it waits for a wake-up when nothing requested is ready. */
  | { type: 'POLL'; events?: number; timeout?: number };

/** The device side: the accelerator finishes the task at the head of its run queue
 * (the driver calls snd_compr_task_finished()). Time is an event. */
export type DeviceCommand = { type: 'TASK_FINISHED' };

/** Access to a task's dma-buf through the descriptor TASK_CREATE returned: stand-ins for
 * mmap(2) of the dma-buf plus a copy, and close(2) of the descriptor. */
export type DmaBufCommand =
  | { type: 'DMABUF_WRITE'; fd: number; offset: number; data: Uint8Array }
  | { type: 'DMABUF_READ'; fd: number; offset: number; bytes: number }
  | { type: 'DMABUF_CLOSE'; fd: number };

/** What the model (machines/accel) takes as events. */
export type AccelEvent = StreamCommand | DeviceCommand;
export type AccelCommand = AccelEvent | DmaBufCommand;
export type AccelCommandType = AccelCommand['type'];

export interface AccelOk {
  ok: true;
  /** IOCTL_VERSION. */
  version?: number;
  /** GET_CAPS. */
  caps?: AccelCaps;
  /** TASK_CREATE, TASK_START: the struct copied back. */
  task?: TaskValue;
  /** TASK_STATUS. */
  status?: TaskStatusValue;
  /** POLL: revents. */
  revents?: number;
  /** TASK_FINISHED: the seqno of the task finished, 0n when nothing was queued. */
  finished?: bigint;
  /** TASK_CREATE on an in-process backend: the task's buffers, shareable with worker threads. */
  buffers?: { input: SharedArrayBuffer; output: SharedArrayBuffer };
  /** DMABUF_READ. */
  data?: Uint8Array;
}

export interface AccelErr {
  ok: false;
  errno: Errno;
  /** The rule that required this error, when the backend knows it. */
  rule?: string;
}

export type AccelOutcome = AccelOk | AccelErr;

/** What the driver's set_params accepts (spec/accel/device.md `accel.device.set-params`). */
export interface AccelAccepts {
  codec: number;
  formats_in: number[];
  formats_out: number[];
  rates: number[];
  /** out_sample_rate / sample_rate. */
  ratios: number[];
  channels: { min: number; max: number };
  max_fragment_size: number;
}

export interface AccelDeviceInfo {
  /** Backend name, e.g. 'reference-accel' or 'kernel'. */
  backend: string;
  /** Device name, e.g. 'reference-src'. */
  device: string;
  /** Kernel version the backend runs, or null for a simulation. */
  kernel: string | null;
  follows: '7.2';
  /** What GET_CAPS answers. */
  caps: AccelCaps;
  accepts: AccelAccepts;
  /** Tasks finish only on TASK_FINISHED (true), or by themselves in real time (false). */
  virtualClock: boolean;
}

/** One session: a fresh card with one accel compress device and no open file. */
export interface AccelDevice {
  readonly info: AccelDeviceInfo;
  exec(cmd: AccelCommand): AccelOutcome | Promise<AccelOutcome>;
  /** Closes the stream file and every descriptor, and releases the session. */
  dispose(): void | Promise<void>;
}

/** A backend hands out sessions. */
export interface AccelBackend {
  readonly name: string;
  /** Why this backend cannot run the accel suite (e.g. a kernel built without accel), or null. */
  readonly unsupported: string | null;
  open(): AccelDevice | Promise<AccelDevice>;
  shutdown(): void | Promise<void>;
}
