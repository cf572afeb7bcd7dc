// A snapshot of a substream's runtime for tests: the kernel's internal fields by their kernel names.
import type { PcmState, StreamDir } from '../../spec/abi/states.ts';
import type { Access, Format } from '../../spec/abi/params.ts';
import type { PcmFile, Substream } from './card.ts';

export interface RuntimeView {
  stream: StreamDir;
  state: PcmState;
  suspended_state: PcmState;
  access: Access;
  format: Format;
  channels: number;
  rate: number;
  period_size: number;
  periods: number;
  buffer_size: number;
  info: number;
  boundary: bigint;
  hw_ptr: bigint;
  appl_ptr: bigint;
  hw_ptr_base: bigint;
  hw_ptr_interrupt: bigint;
  avail_min: bigint;
  avail_max: bigint;
  start_threshold: bigint;
  stop_threshold: bigint;
  silence_threshold: bigint;
  silence_size: bigint;
  silence_start: bigint;
  silence_filled: bigint;
  /** The virtual device's DMA position. */
  pos: number;
  /** substream->f_flags has O_NONBLOCK. */
  f_nonblock: boolean;
  mmap_count: number;
  /** The descriptors of the group's members in list order (just this one when not linked). */
  group: number[];
  /** A copy of the DMA buffer (empty without one). */
  buffer: Uint8Array;
}

export function inspect(s: Substream, files: PcmFile[]): RuntimeView {
  const rt = s.rt;
  const fdOf = (m: Substream) => files.find((f) => f.sub === m)?.fd ?? -1;
  return {
    stream: s.dir,
    state: rt.state,
    suspended_state: rt.suspendedState,
    access: rt.access,
    format: rt.format,
    channels: rt.channels,
    rate: rt.rate,
    period_size: rt.periodSize,
    periods: rt.periods,
    buffer_size: rt.bufferSize,
    info: rt.info,
    boundary: rt.boundary,
    hw_ptr: rt.hwPtr,
    appl_ptr: rt.applPtr,
    hw_ptr_base: rt.hwPtrBase,
    hw_ptr_interrupt: rt.hwPtrInterrupt,
    avail_min: rt.availMin,
    avail_max: rt.availMax,
    start_threshold: rt.startThreshold,
    stop_threshold: rt.stopThreshold,
    silence_threshold: rt.silenceThreshold,
    silence_size: rt.silenceSize,
    silence_start: rt.silenceStart,
    silence_filled: rt.silenceFilled,
    pos: rt.pos,
    f_nonblock: s.fNonblock,
    mmap_count: s.mmapCount,
    group: s.group.list.map(fdOf),
    buffer: rt.dma ? rt.dma.slice() : new Uint8Array(0),
  };
}
