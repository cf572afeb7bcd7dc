// The PCM machine's context: what the kernel keeps per substream (the runtime) and per card.
// Pointers are exact bigints; the runtime outlives HW_FREE (pcm.hw-free.leaves), so geometry,
// info and boundary stay until the next HW_PARAMS or the file's release.
import type { Access, Format } from '../../spec/abi/params.ts';
import type { PcmState, StreamDir } from '../../spec/abi/states.ts';
import type { HwCaps, MemoryInfo, Outcome } from '../../spec/device.ts';
import type { SyncCall } from '../../spec/dma.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import { initialMemory, type CardMem, type RuntimeBuf } from '../buffer/allocator.ts';

/** A region's state: a kernel state, or CLOSED when no file of the region's fd holds a substream. */
export type RegionState = PcmState | 'CLOSED';

export interface Geometry {
  access: Access;
  format: Format;
  channels: number;
  rate: number;
  periodSize: bigint;
  periods: bigint;
  bufferSize: bigint;
  frameBytes: number;
  /** PAGE_ALIGN is applied by the mmap checks, not here. */
  dmaBytes: number;
}

export interface StreamCtx {
  state: RegionState;
  dir: StreamDir;
  /** The file's O_NONBLOCK (DRAIN obeys it). */
  fileNonblock: boolean;
  /** substream->f_flags & O_NONBLOCK (transfers obey it; set by open and by PREPARE). */
  xferNonblock: boolean;
  /** The file was closed while areas were mapped: the release waits for the last MUNMAP. */
  closed: boolean;
  userPversion: number;
  /** runtime->info as HW_PARAMS left it (0 on a fresh runtime). */
  info: number;
  hw: Geometry | null;
  boundary: bigint;
  availMin: bigint;
  startThreshold: bigint;
  stopThreshold: bigint;
  silenceThreshold: bigint;
  silenceSize: bigint;
  hwPtr: bigint;
  applPtr: bigint;
  hwPtrBase: bigint;
  hwPtrInterrupt: bigint;
  /** The driver's DMA position in the buffer, [0, bufferSize). */
  pos: bigint;
  availMax: bigint;
  suspendedState: PcmState;
  dataMaps: number;
  statusMaps: number;
  controlMaps: number;
  /** runtime->dma_buffer_p (spec/pcm/managed.md); null in OPEN. */
  buf: RuntimeBuf | null;
  /** The open added SNDRV_PCM_INFO_EXPLICIT_SYNC to runtime->hw.info (sync.explicit.managed). */
  explicitSync: boolean;
}

export type KernelVersion = '7.2' | '6.1';

export interface PcmInput {
  kernel?: KernelVersion;
  /** What the device's driver declares for each direction it has. */
  caps: Partial<Record<StreamDir, HwCaps>>;
  /** Files the machine follows: 1 (one stream) or 2 (two streams that can be linked). */
  files?: 1 | 2;
  /** The card's buffers (DeviceInfo.memory); absent: the seam's defaults. */
  memory?: MemoryInfo;
}

export interface PcmContext {
  kernel: KernelVersion;
  caps: Partial<Record<StreamDir, HwCaps>>;
  files: 1 | 2;
  streams: StreamCtx[];
  /** The linked group, in the kernel's list order (most recently linked first); [] if none. */
  group: number[];
  disconnected: boolean;
  /** The card's buffer memory: accounting, limits, each direction's preallocation. */
  memory: CardMem;
  /** What the last event returned, and the rules it exercised. */
  last: Outcome;
  lastRules: RuleId[];
  /** The snd_pcm_dma_buffer_sync() calls the last event made, in order, by file (spec/pcm/sync.md).
   * Silence filling (sync.silence.fill) is not predicted: the machine does not follow the filler. */
  lastSyncs: (SyncCall & { fd: number })[];
}

export function freshStream(dir: StreamDir = 'PLAYBACK'): StreamCtx {
  return {
    state: 'CLOSED',
    dir,
    fileNonblock: false,
    xferNonblock: true,
    closed: false,
    userPversion: 0,
    info: 0,
    hw: null,
    boundary: 0n,
    availMin: 0n,
    startThreshold: 0n,
    stopThreshold: 0n,
    silenceThreshold: 0n,
    silenceSize: 0n,
    hwPtr: 0n,
    applPtr: 0n,
    hwPtrBase: 0n,
    hwPtrInterrupt: 0n,
    pos: 0n,
    availMax: 0n,
    suspendedState: 'OPEN',
    dataMaps: 0,
    statusMaps: 0,
    controlMaps: 0,
    buf: null,
    explicitSync: false,
  };
}

export function initialContext(input: PcmInput): PcmContext {
  const files = input.files ?? 1;
  const kernel = input.kernel ?? '7.2';
  const maxBytes = Object.fromEntries(Object.entries(input.caps).map(([d, c]) => [d, c!.buffer_bytes_max]));
  return {
    kernel,
    caps: input.caps,
    files,
    streams: Array.from({ length: files }, () => freshStream()),
    group: [],
    disconnected: false,
    memory: initialMemory(input.memory, kernel, maxBytes),
    last: { ok: true },
    lastRules: [],
    lastSyncs: [],
  };
}
