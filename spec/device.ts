// The PcmDevice seam: the one interface every backend implements (the ring core, the real kernel
// through a guest agent, an out-of-process implementation over JSON lines) and the only way the
// conformance suite reaches a backend. Commands are data: the same objects are model events,
// fast-check commands, replay lines and JSON-lines requests.
//
// Frame counters of type snd_pcm_uframes_t (pointers, thresholds, boundary) are bigint: the 64-bit
// boundary is near 2^62, beyond a double's exact range. Transfer sizes are plain numbers.
import type { Errno } from './abi/errno.ts';
import { MAX_ALLOC_PER_CARD, type DmaType } from './abi/memalloc.ts';
import type { Access, Format, InfoFlag } from './abi/params.ts';
import type { PcmState, StreamDir } from './abi/states.ts';

/** Index of an open file in a session (the test's own file table, not a kernel fd). */
export type Fd = number;

export interface HwConfig {
  access: Access;
  format: Format;
  channels: number;
  rate: number;
  period_size: number;
  periods: number;
  /** SNDRV_PCM_HW_PARAMS_* flags (NORESAMPLE = 1, EXPORT_BUFFER = 2, NO_PERIOD_WAKEUP = 4). */
  flags?: number;
}

export interface SwConfig {
  avail_min: bigint;
  start_threshold: bigint;
  stop_threshold: bigint;
  silence_threshold: bigint;
  silence_size: bigint;
  tstamp_mode?: number;
  tstamp_type?: number;
  period_step?: number;
  /** Protocol version the caller claims (sw_params.proto); defaults to the kernel's own. */
  proto?: number;
}

export type MmapArea = 'DATA' | 'STATUS' | 'CONTROL';

/** User-space operations on an open PCM file, named after the ioctl or syscall they issue. */
export type FileCommand =
  | { type: 'OPEN'; fd: Fd; stream: StreamDir; nonblock: boolean }
  | { type: 'CLOSE'; fd: Fd }
  | { type: 'PVERSION'; fd: Fd }
  | { type: 'INFO'; fd: Fd }
  | { type: 'USER_PVERSION'; fd: Fd; version: number }
  | { type: 'TTSTAMP'; fd: Fd; tstamp_type: number }
  | { type: 'HW_REFINE'; fd: Fd; params: HwConfig }
  | { type: 'HW_PARAMS'; fd: Fd; params: HwConfig }
  | { type: 'HW_FREE'; fd: Fd }
  | { type: 'SW_PARAMS'; fd: Fd; params: SwConfig }
  | { type: 'STATUS'; fd: Fd; ext: boolean }
  | { type: 'DELAY'; fd: Fd }
  | { type: 'HWSYNC'; fd: Fd }
  | { type: 'SYNC_PTR'; fd: Fd; flags: number; appl_ptr: bigint; avail_min: bigint; compat32: boolean }
  | { type: 'CHANNEL_INFO'; fd: Fd; channel: number }
  | { type: 'PREPARE'; fd: Fd }
  | { type: 'RESET'; fd: Fd }
  | { type: 'START'; fd: Fd }
  | { type: 'DROP'; fd: Fd }
  | { type: 'DRAIN'; fd: Fd }
  | { type: 'PAUSE'; fd: Fd; push: boolean }
  | { type: 'REWIND'; fd: Fd; frames: bigint }
  | { type: 'FORWARD'; fd: Fd; frames: bigint }
  | { type: 'RESUME'; fd: Fd }
  | { type: 'XRUN'; fd: Fd }
  /** WRITEI_FRAMES / READI_FRAMES / WRITEN_FRAMES / READN_FRAMES. `data` is optional on writes:
   * without it the backend writes its deterministic test pattern. Layout: interleaved frames for
   * the I variants; for the N variants one block per channel, each `frames × sample bytes`. */
  | { type: 'WRITEI' | 'READI' | 'WRITEN' | 'READN'; fd: Fd; frames: number; data?: Uint8Array }
  /** The write(2) / read(2) syscalls, in bytes. */
  | { type: 'WRITE' | 'READ'; fd: Fd; bytes: number; data?: Uint8Array }
  | { type: 'LINK'; fd: Fd; other: Fd }
  | { type: 'UNLINK'; fd: Fd }
  | { type: 'POLL'; fd: Fd }
  /** mmap(2) of one area. For DATA, `bytes` defaults to the whole buffer; `prot` to read+write
   * (`NONE`: PROT_NONE). */
  | { type: 'MMAP'; fd: Fd; area: MmapArea; bytes?: number; offset?: number; prot?: 'R' | 'W' | 'RW' | 'NONE' }
  | { type: 'MUNMAP'; fd: Fd; area: MmapArea }
  /** An ioctl the seam does not name, with a zeroed argument: `request` must be a number the PCM
   * core does not handle (pcm.ioctl.unknown). */
  | { type: 'RAW_IOCTL'; fd: Fd; request: number }
  /** A store through the mmap'd control page (no ioctl, no check). */
  | { type: 'CONTROL_WRITE'; fd: Fd; appl_ptr?: bigint; avail_min?: bigint }
  /** Stores `frames` frames through the mmap'd data area at byte `offset` of the mapping (`data`,
   * or the file's next test-pattern frames, counted like a write's). Plain memory: no ioctl. */
  | { type: 'MAP_WRITE'; fd: Fd; offset: number; frames: number; data?: Uint8Array }
  /** Loads `frames` frames from the mmap'd data area at byte `offset`; the bytes come back as `data`. */
  | { type: 'MAP_READ'; fd: Fd; offset: number; frames: number };

/** The device side: what the hardware, the driver and the system do. Time is an event. */
export type DeviceCommand =
  /** The DMA engine of `fd`'s substream runs for `frames` frames of device time; the driver calls
   * snd_pcm_period_elapsed() at each period boundary crossed (spec/pcm/device.md). */
  | { type: 'ADVANCE'; fd: Fd; frames: number }
  /** The driver detects an xrun by itself and calls snd_pcm_stop_xrun(). */
  | { type: 'DEVICE_XRUN'; fd: Fd }
  /** A system suspend and wake-up (snd_pcm_suspend_all, then the card back in D0). */
  | { type: 'SUSPEND' }
  /** The card is unplugged (snd_card_disconnect). */
  | { type: 'DISCONNECT' }
  /** What a real device was seen to do (device.advance.observed): `irq`, its period interrupts
   * ran up to `hw_ptr`; `late`, one interrupt came late and found the position at `hw_ptr` (the
   * boundaries on the way had none of their own); `pointer`, its DMA position is there for the
   * next hwsync; `wait`, the waits of the command just taken ended with hw_ptr there. Only the model takes it: the
   * conformance runner sends it when a backend's clock is not virtual. */
  | { type: 'MOVED'; fd: Fd; hw_ptr: bigint; how: MoveKind };

export type MoveKind = 'irq' | 'late' | 'pointer' | 'wait';

/**
 * The test pattern a backend writes when WRITEI/WRITE/… carry no data: byte `b` of the `n`-th frame
 * transferred on a file since its OPEN (counting from 0). Each 4-byte word of a frame is a 32-bit
 * hash (lowbias32, a bijection) of the frame and the word's place, each byte with its low bit set:
 * never zero (silence), and 28 bits that tell frames apart, so lost, repeated or reordered frames
 * show and a captured frame names its index (conformance/data.ts).
 */
export function patternByte(frame: number, byte: number): number {
  return ((patternWord(frame, byte >>> 2) >>> ((byte & 3) * 8)) & 0xff) | 1;
}

function patternWord(frame: number, word: number): number {
  let x = (frame + Math.imul(word, 0x9e3779b9)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Fills `dst` with the pattern of `dst.length / frameBytes` frames starting at frame `first`. */
export function fillPattern(dst: Uint8Array, first: number, frameBytes: number): void {
  for (let i = 0, n = first; i < dst.length; n++) {
    for (let b = 0; b < frameBytes && i < dst.length; b += 4) {
      const w = patternWord(n, b >>> 2) | 0x01010101;
      for (let k = 0; k < 4 && b + k < frameBytes && i < dst.length; k++, i++) dst[i] = (w >>> (k * 8)) & 0xff;
    }
  }
}

/** A side-effect-free look at what the status and control pages show. */
export type PeekCommand = { type: 'PEEK'; fd: Fd };

/** The proc files of a direction's substream 0, `/proc/asound/cardC/pcmD{p,c}/sub0/`
 * (spec/pcm/managed.md). */
export type ProcFile = 'prealloc' | 'prealloc_max';

/** A whole proc-file access: open(2), one read(2) or write(2), close(2). Not tied to a PCM file:
 * the proc files belong to the substream, open or not. PROC_READ returns the file's `text`;
 * PROC_WRITE returns the bytes write(2) took in `value` — the write takes effect, or silently
 * does not (buffer.proc.write-swallowed), at the close. */
export type ProcCommand =
  | { type: 'PROC_READ'; stream: StreamDir; file: ProcFile }
  | { type: 'PROC_WRITE'; stream: StreamDir; file: ProcFile; text: string };

export type Command = FileCommand | DeviceCommand | PeekCommand | ProcCommand;
export type CommandType = Command['type'];

export interface StatusValue {
  state: PcmState;
  suspended_state: PcmState;
  appl_ptr: bigint;
  hw_ptr: bigint;
  delay: bigint;
  avail: bigint;
  avail_max: bigint;
}

export interface SyncPtrValue {
  state: PcmState;
  suspended_state: PcmState;
  hw_ptr: bigint;
  appl_ptr: bigint;
  avail_min: bigint;
}

export interface PeekValue {
  state: PcmState;
  suspended_state: PcmState;
  hw_ptr: bigint;
  appl_ptr: bigint;
  avail_min: bigint;
}

/** What a successful command returns; only the fields its type defines are set. */
export interface OkOutcome {
  ok: true;
  /** PVERSION: the protocol version. READ/WRITE: bytes. WRITEI/READI/..: frames transferred.
   * REWIND/FORWARD: frames moved. DELAY: the delay. POLL: revents. ADVANCE: frames the device ran.
   * SW_PARAMS: the boundary. */
  value?: bigint;
  status?: StatusValue;
  sync?: SyncPtrValue;
  peek?: PeekValue | null;
  /** Bytes read by READI/READN/READ, when the backend returns data. */
  data?: Uint8Array;
  /** HW_PARAMS / HW_REFINE: the configuration the kernel settled on. */
  hw?: HwConfig & { buffer_size: number };
  /** PROC_READ: what the file reads. */
  text?: string;
}

export interface ErrOutcome {
  ok: false;
  errno: Errno;
  /** The rule that required this error, when the backend knows it (the model and the ring core do). */
  rule?: string;
  /** Set (with errno EOPNOTSUPP) when the backend cannot perform the command at all — e.g. a real
   * kernel has no way to make a driver report an xrun. The test is then UNSUPPORTED, not FAIL. */
  unsupported?: string;
}

export type Outcome = OkOutcome | ErrOutcome;

/** snd_pcm_hardware: what a driver declares for one direction. */
export interface HwCaps {
  info: InfoFlag[];
  formats: Format[];
  rates: { min: number; max: number; list?: number[] };
  channels: { min: number; max: number };
  buffer_bytes_max: number;
  period_bytes: { min: number; max: number };
  periods: { min: number; max: number };
}

export type { DmaType } from './abi/memalloc.ts';

/** How the driver sets up a direction's buffer at probe time (spec/pcm/managed.md). */
export interface BufferSetup {
  /** snd_pcm_set_managed_buffer(): the core allocates before the driver's hw_params and frees after
   * its hw_free. false: snd_pcm_lib_preallocate_pages(), the driver's own callbacks call
   * snd_pcm_lib_malloc_pages() and snd_pcm_lib_free_pages(). */
  managed: boolean;
  /** SNDRV_DMA_TYPE_* of the buffers (sync.buffer.type). */
  type: DmaType;
  /** Bytes to preallocate at probe; 0 allocates on demand (buffer.prealloc.on-demand). */
  size: number;
  /** The most a prealloc write may ask for; 0: no proc files, and with size > 0 a fixed buffer. */
  max: number;
}

/** The card's buffer memory. Every field is optional; the defaults describe the ring core's
 * historical device and snd-aloop: managed VMALLOC buffers allocated on demand (0, 0), the kernel's
 * default max_alloc_per_card of 32 MiB, an allocator that never fails, coherent DMA. */
export interface MemoryInfo {
  /** Per direction; a direction left out gets `DEFAULT_BUFFER_SETUP`. */
  buffers?: Partial<Record<StreamDir, BufferSetup>>;
  /** The snd_pcm module parameter max_alloc_per_card, in bytes (0: no limit). Default 32 MiB. */
  maxAllocPerCard?: number;
  /** Bytes the system's allocator can hand out to this card's buffers at once; past it an
   * allocation fails with ENOMEM (simulations; null: never). Default null. */
  budget?: number | null;
  /** dma_need_sync() answers true: the platform's DMA is not coherent (or bounces), so NONCONTIG
   * and NONCOHERENT buffers need syncing (sync.buffer.type). Default false. */
  needSync?: boolean;
}

export const DEFAULT_BUFFER_SETUP: Readonly<BufferSetup> = Object.freeze({ managed: true, type: 'VMALLOC', size: 0, max: 0 });

export interface ResolvedMemory {
  buffers: Record<StreamDir, BufferSetup>;
  maxAllocPerCard: number;
  budget: number | null;
  needSync: boolean;
}

/** `MemoryInfo` with its documented defaults filled in. */
export function resolveMemory(m: MemoryInfo | undefined): ResolvedMemory {
  const buffers = {} as Record<StreamDir, BufferSetup>;
  for (const dir of ['PLAYBACK', 'CAPTURE'] as const) buffers[dir] = { ...(m?.buffers?.[dir] ?? DEFAULT_BUFFER_SETUP) };
  return {
    buffers,
    maxAllocPerCard: m?.maxAllocPerCard ?? MAX_ALLOC_PER_CARD,
    budget: m?.budget ?? null,
    needSync: m?.needSync ?? false,
  };
}

export interface DeviceInfo {
  /** Backend name, e.g. 'ring-core' or 'kernel'. */
  backend: string;
  /** Device name, e.g. 'ring-core', 'dummy', 'aloop', 'hda'. */
  device: string;
  /** Kernel version the backend runs ('7.2', '6.1'), or null for a simulation. */
  kernel: string | null;
  /** Which kernel's rules a simulation follows. */
  follows: '7.2' | '6.1';
  streams: Partial<Record<StreamDir, HwCaps>>;
  /** Playback frames reach capture (snd-aloop, the ring core in loopback mode). */
  loopback: boolean;
  /** The backend's device clock is ours to drive (ADVANCE is exact) rather than real time. */
  virtualClock: boolean;
  /** The card's buffers (spec/pcm/managed.md); absent: the defaults of `MemoryInfo`. A kernel
   * backend describes the driver it loaded (snd-dummy with fake_buffer=0: managed CONTINUOUS,
   * size 0, max 64 KiB) and the max_alloc_per_card it set. */
  memory?: MemoryInfo;
}

/** One session: a fresh card with no open files. Every test gets its own. */
export interface PcmDevice {
  readonly info: DeviceInfo;
  exec(cmd: Command): Outcome | Promise<Outcome>;
  /** Closes every file and releases the session. */
  dispose(): void | Promise<void>;
}

/** A backend hands out sessions. */
export interface PcmBackend {
  readonly name: string;
  open(): PcmDevice | Promise<PcmDevice>;
  shutdown(): void | Promise<void>;
}
