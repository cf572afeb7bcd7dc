// The card, its substreams (one per direction), their groups and the open files.
import type { RingFault } from './faults.ts';
import type { BufferSetup, HwCaps } from '../../spec/device.ts';
import type { PcmState, StreamDir } from '../../spec/abi/states.ts';
import { INFO } from '../../spec/abi/params.ts';
import { UINT_MAX } from '../../spec/abi/memalloc.ts';
import type { ResolvedOptions } from './options.ts';
import { Runtime, captureAvail, captureHwAvail, playbackAvail, playbackHwAvail } from './runtime.ts';
import { Cable } from './cable.ts';
import { Sink } from './sink.ts';
import type { DmaBuffer } from './dma.ts';
import { CardMemory, preallocatePages } from './memory.ts';
import { Recorder } from './recorder.ts';

/** struct snd_pcm_group: the list of linked substreams, most recently linked first. */
export class Group {
  readonly list: Substream[] = [];
}

export class Substream {
  runtime: Runtime | null = null;
  /** The open file bound to the substream, if any (a closed file may still hold it by a mapping). */
  file: PcmFile | null = null;
  /** substream->mmap_count: live mappings of the data area. */
  mmapCount = 0;
  /** substream->f_flags & O_NONBLOCK, which transfers obey. */
  fNonblock = false;
  readonly selfGroup = new Group();
  group: Group;
  /** The driver's snd_pcm_hardware.info. */
  readonly capsInfo: number;
  /** runtime->hw.info (the full flags, unlike runtime->info): the driver's, and EXPLICIT_SYNC when
   * the open added it. */
  hwInfo: number;

  // The buffer setup of pcm_memory.c (spec/pcm/managed.md)
  /** substream->dma_buffer: the preallocated buffer, or null. */
  dmaBuffer: DmaBuffer | null = null;
  /** substream->dma_buffer.dev.need_sync: outlives the buffer (a prealloc write of 0 keeps it). */
  dmaDevNeedSync = false;
  /** substream->buffer_bytes_max */
  bufferBytesMax = UINT_MAX;
  /** substream->dma_max */
  dmaMax = 0;

  constructor(
    readonly card: Card,
    readonly dir: StreamDir,
    readonly caps: HwCaps,
    /** What the driver's probe asked for (snd_pcm_set_managed_buffer() or the legacy call). */
    readonly setup: BufferSetup,
  ) {
    this.playback = dir === 'PLAYBACK';
    this.group = this.selfGroup;
    this.selfGroup.list.push(this);
    this.capsInfo = caps.info.reduce((m, f) => (m | INFO[f]) >>> 0, 0);
    this.hwInfo = this.capsInfo;
  }

  /** The direction is PLAYBACK (a field: the data path asks on every call). */
  readonly playback: boolean;

  /** The attached runtime; the callers only reach here while the substream is held. */
  get rt(): Runtime {
    const rt = this.runtime;
    if (!rt) throw new Error(`ring-core invariant: ${this.dir} substream has no runtime`);
    return rt;
  }
}

/** snd_pcm_stream_linked(). */
export const isLinked = (s: Substream): boolean => s.group !== s.selfGroup;

/** snd_pcm_running(): RUNNING, or DRAINING on playback. */
export function isRunning(s: Substream): boolean {
  const st = s.rt.state;
  return st === 'RUNNING' || (st === 'DRAINING' && s.playback);
}

/** snd_pcm_avail() (sound/core/pcm_local.h). */
export const availOf = (s: Substream): bigint => (s.playback ? playbackAvail(s.rt) : captureAvail(s.rt));

/** snd_pcm_hw_avail() (sound/core/pcm_local.h), which returns it as snd_pcm_uframes_t. */
export const hwAvailOf = (s: Substream): bigint =>
  BigInt.asUintN(64, s.playback ? playbackHwAvail(s.rt) : captureHwAvail(s.rt));

/** __snd_pcm_set_state(): the state and its copy on the status page are one field here. */
export function setState(s: Substream, state: PcmState): void {
  s.rt.state = state;
}

/** An open file of a PCM device node. */
export class PcmFile {
  /** Cleared by CLOSE: the descriptor is gone, mappings may still hold the file. */
  open = true;
  /** snd_pcm_release() has run. */
  released = false;
  userPversion = 0;
  /** Frames transferred on this file since OPEN: the position in the test pattern (spec/device.ts). */
  patternFrame = 0;
  readonly maps = { DATA: 0, STATUS: 0, CONTROL: 0 };

  constructor(
    readonly fd: number,
    readonly sub: Substream,
    /** file->f_flags & O_NONBLOCK after the fcntl() that follows the open. */
    readonly nonblock: boolean,
  ) {}

  get mapped(): boolean {
    return this.maps.DATA + this.maps.STATUS + this.maps.CONTROL > 0;
  }
}

export class Card {
  /** card->shutdown: set by snd_card_disconnect(). */
  shutdown = false;
  readonly subs: Substream[] = [];
  /** The capture substream, if the card has one (the playback device asks on every run). */
  readonly capture: Substream | undefined;
  readonly cable: Cable | null;
  readonly sink: Sink;
  /** A signal the harness has sent to the caller of a blocking call (cleared when the call ends). */
  signalPending = false;
  readonly memory: CardMemory;
  readonly recorder: Recorder;

  constructor(readonly opts: ResolvedOptions) {
    const m = opts.memory;
    this.memory = new CardMemory(m.maxAllocPerCard, m.budget, m.needSync);
    this.recorder = new Recorder(opts.trace);
    for (const dir of ['PLAYBACK', 'CAPTURE'] as const) {
      const caps = opts.streams[dir];
      if (caps) this.subs.push(new Substream(this, dir, caps, m.buffers[dir]));
    }
    for (const s of this.subs) preallocatePages(s); // the driver's probe
    this.capture = this.sub('CAPTURE');
    this.cable = opts.loopback ? new Cable() : null;
    this.sink = new Sink(opts.sink);
  }

  get v61(): boolean {
    return this.opts.follows === '6.1';
  }

  sub(dir: StreamDir): Substream | undefined {
    return this.subs.find((s) => s.dir === dir);
  }
}

/** The fault this core was built with is `f` (faults.ts; mutant tests only). */
export const fault = (s: Substream, f: RingFault): boolean => s.card.opts.fault === f;
