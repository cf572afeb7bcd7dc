// Named premises: the conditions the kernel tests before it acts. Each is a guard of the machine
// (on stream `i` of the context, for event `ev`) and is also what the group pre-checks evaluate
// on the other members. Names say what holds; an edge may negate one with a leading '!'.
import { FORMATS, INFO, TSTAMP_LAST, TSTAMP_TYPE_LAST } from '../../spec/abi/params.ts';
import { PROC_TEXT_MAX } from '../../spec/abi/memalloc.ts';
import type { StreamDir } from '../../spec/abi/states.ts';
import type { Command, HwConfig, SwConfig } from '../../spec/device.ts';
import { protocolVersion } from '../../spec/abi/ioctl.ts';
import { bufferBytes, cloneMem, hasProcFiles, mallocPages, procWrite } from '../buffer/allocator.ts';
import type { PcmContext } from './context.ts';
import { admissible } from './hw-constraints.ts';
import { applyApplPtr, captureAvail, playbackEmpty, playbackHasData } from './runtime.ts';

export type Premise = (ctx: PcmContext, i: number, ev: Command) => boolean;

const field = <K extends string>(ev: Command, k: K): unknown => (ev as unknown as Record<string, unknown>)[k];

export const PREMISES = {
  /** The stream plays (SNDRV_PCM_STREAM_PLAYBACK). */
  isPlayback: (ctx, i) => ctx.streams[i]!.dir === 'PLAYBACK',
  /** runtime->info has SNDRV_PCM_INFO_PAUSE — pcm.pause.no-support, snd_pcm_pre_pause(). */
  hasPauseInfo: (ctx, i) => (ctx.streams[i]!.info & INFO.PAUSE) !== 0,
  /** runtime->info has SNDRV_PCM_INFO_RESUME — pcm.resume.no-support, snd_pcm_pre_resume(). */
  hasResumeInfo: (ctx, i) => (ctx.streams[i]!.info & INFO.RESUME) !== 0,
  /** runtime->info has SNDRV_PCM_INFO_MMAP — pcm.mmap-data.no-mmap, snd_pcm_mmap_data(). */
  hasMmapInfo: (ctx, i) => (ctx.streams[i]!.info & INFO.MMAP) !== 0,
  /** PAUSE asks to push (pause) rather than release. */
  isPush: (_ctx, _i, ev) => field(ev, 'push') === true,
  /** Something to play, or a free-running stream — pcm.start.no-data, snd_pcm_playback_data(). */
  playbackHasData: (ctx, i) => playbackHasData(ctx.streams[i]!),
  /** Nothing queued — pcm.drain.playback, snd_pcm_playback_empty(). */
  playbackEmpty: (ctx, i) => playbackEmpty(ctx.streams[i]!),
  /** Captured frames wait to be read — pcm.drain.capture, snd_pcm_do_drain_init(). */
  captureHasFrames: (ctx, i) => captureAvail(ctx.streams[i]!) > 0n,
  /** The data buffer is mapped — pcm.hw-params.mmapped, substream->mmap_count. */
  isDataMapped: (ctx, i) => ctx.streams[i]!.dataMaps > 0,
  /** The file was closed while mapped; only the mappings hold the substream — pcm.close.deferred. */
  isFileClosed: (ctx, i) => ctx.streams[i]!.closed,
  /** Some area of the file is mapped — pcm.close.deferred. */
  hasMapping: (ctx, i) => {
    const s = ctx.streams[i]!;
    return s.dataMaps + s.statusMaps + s.controlMaps > 0;
  },
  /** The stream is in a linked group — pcm.link.ok. */
  isLinked: (ctx, i) => ctx.group.includes(i),
  /** The card was unplugged — device.disconnect.enodev. */
  isDisconnected: (ctx) => ctx.disconnected,
  /** The device has the direction the OPEN asks for — pcm.open.no-device. */
  hasDirection: (ctx, _i, ev) => ctx.caps[field(ev, 'stream') as 'PLAYBACK' | 'CAPTURE'] !== undefined,
  /** Another slot holds the substream of the direction OPEN asks for — pcm.open.busy. */
  isDirectionHeld: (ctx, i, ev) =>
    ctx.streams.some((s, j) => j !== i && s.state !== 'CLOSED' && s.dir === field(ev, 'stream')),
  /** The HW_PARAMS/HW_REFINE configuration passes the driver's constraints — pcm.hw-params.invalid. */
  isAdmissible: (ctx, i, ev) => {
    const s = ctx.streams[i]!;
    const caps = ctx.caps[s.dir];
    const p = field(ev, 'params');
    return caps !== undefined && p !== undefined && admissible(caps, p as never);
  },
  /** The buffer bytes exceed substream->buffer_bytes_max, the preallocated size —
   * buffer.managed.over-prealloc, snd_pcm_hw_rule_buffer_bytes_max(). */
  isOverBufferBytesMax: (ctx, i, ev) => {
    const s = ctx.streams[i]!;
    const p = field(ev, 'params') as HwConfig;
    return hwBytes(p) > ctx.memory.subs[s.dir].bufferBytesMax;
  },
  /** snd_pcm_lib_malloc_pages() finds or gets the buffer — buffer.hw-params.enomem. */
  isAllocatable: (ctx, i, ev) => {
    if (ctx.memory.unbounded) return true;
    const s = ctx.streams[i]!;
    return mallocPages(cloneMem(ctx.memory), s.dir, s.buf, hwBytes(field(ev, 'params') as HwConfig)).result !== 'enomem';
  },
  /** runtime->hw.info has EXPLICIT_SYNC — sync.explicit.sync-ptr, pcm_status_mmap_allowed(). */
  hasExplicitSync: (ctx, i) => (hwInfo(ctx, i) & INFO.EXPLICIT_SYNC) !== 0,
  /** The substream has prealloc files (dma_max > 0) and the card is still there — buffer.proc.files. */
  hasProcFiles: (ctx, _i, ev) => {
    const dir = field(ev, 'stream') as StreamDir;
    return !ctx.disconnected && ctx.caps[dir] !== undefined && hasProcFiles(ctx.memory, dir);
  },
  /** The proc command names prealloc_max — buffer.proc.prealloc-max-read, .prealloc-max-write. */
  isProcMaxFile: (_ctx, _i, ev) => field(ev, 'file') === 'prealloc_max',
  /** More text than a text proc entry takes — buffer.proc.prealloc-max-write. */
  isProcTextTooLong: (_ctx, _i, ev) => ((field(ev, 'text') as string | undefined)?.length ?? 0) > PROC_TEXT_MAX,
  /** The substream of the proc file has a runtime (an open file holds it) — buffer.proc.write-swallowed. */
  isProcSubstreamOpen: (ctx, _i, ev) => ctx.streams.some((s) => s.state !== 'CLOSED' && s.dir === field(ev, 'stream')),
  /** The prealloc write parses, is in range and gets its buffer — buffer.proc.prealloc-write. */
  isProcWriteAccepted: (ctx, _i, ev) =>
    procWrite(cloneMem(ctx.memory), field(ev, 'stream') as StreamDir, field(ev, 'text') as string, false).error === null,
  /** The SW_PARAMS values pass snd_pcm_sw_params()'s checks — pcm.sw-params.invalid. */
  isSwParamsValid: (ctx, i, ev) => {
    const s = ctx.streams[i]!;
    const p = field(ev, 'params') as SwConfig;
    const mode = p.tstamp_mode ?? 0;
    if (mode < 0 || mode > TSTAMP_LAST) return false;
    const proto = p.proto ?? protocolVersion(2, 0, 18);
    if (proto >= protocolVersion(2, 0, 12) && (p.tstamp_type ?? 0) > TSTAMP_TYPE_LAST) return false;
    if (p.avail_min === 0n) return false;
    if (p.silence_size >= s.boundary) return p.silence_threshold === 0n;
    return p.silence_size <= p.silence_threshold && p.silence_threshold <= (s.hw?.bufferSize ?? 0n);
  },
  /** TTSTAMP names a known clock — pcm.ttstamp.invalid, snd_pcm_tstamp(). */
  isTstampTypeValid: (_ctx, _i, ev) => {
    const t = field(ev, 'tstamp_type') as number;
    return t >= 0 && t <= TSTAMP_TYPE_LAST;
  },
  /** CHANNEL_INFO asks for a channel the setup has — pcm.channel-info.invalid. */
  isChannelValid: (ctx, i, ev) => (field(ev, 'channel') as number) < (ctx.streams[i]!.hw?.channels ?? 0),
  /** REWIND/FORWARD of 0 frames, or a transfer of 0 frames/bytes — pcm.rewind.zero, pcm.xfer.zero. */
  isZeroFrames: (_ctx, _i, ev) => {
    const n = field(ev, 'frames') ?? field(ev, 'bytes');
    return n === 0 || n === 0n;
  },
  /** The transfer's layout fits the access mode — pcm.xfer.access, __snd_pcm_lib_xfer(). */
  isAccessMatched: (ctx, i, ev) => {
    const hw = ctx.streams[i]!.hw;
    if (!hw) return false;
    if (ev.type === 'WRITEN' || ev.type === 'READN') return hw.access === 'RW_NONINTERLEAVED' && hw.channels <= 128;
    return hw.access === 'RW_INTERLEAVED' || hw.channels === 1;
  },
  /** read(2)/write(2) of whole frames — pcm.xfer.unaligned. */
  isFrameAligned: (ctx, i, ev) => {
    const hw = ctx.streams[i]!.hw;
    const bytes = field(ev, 'bytes') as number | undefined;
    return bytes === undefined || (hw !== null && bytes % hw.frameBytes === 0);
  },
  /** read(2) on a playback file or write(2) on a capture file — pcm.xfer.direction, vfs_read(). */
  isWrongDirection: (ctx, i, ev) => (ev.type === 'READ' && ctx.streams[i]!.dir === 'PLAYBACK') || (ev.type === 'WRITE' && ctx.streams[i]!.dir === 'CAPTURE'),
  /** LINK names this very slot — pcm.link.self. */
  isLinkToSelf: (_ctx, i, ev) => field(ev, 'other') === i,
  /** LINK names a slot with an open file — pcm.link.bad-fd. */
  isLinkTargetOpen: (ctx, _i, ev) => {
    const o = ctx.streams[field(ev, 'other') as number];
    return o !== undefined && o.state !== 'CLOSED' && !o.closed;
  },
  /** Both streams are in the same state — pcm.link.state. */
  isLinkTargetSameState: (ctx, i, ev) => ctx.streams[field(ev, 'other') as number]?.state === ctx.streams[i]!.state,
  /** The LINK target is already in a group — pcm.link.already. */
  isLinkTargetLinked: (ctx, _i, ev) => ctx.group.includes(field(ev, 'other') as number),
  /** The MMAP protection suits the direction — pcm.mmap-data.prot, snd_pcm_mmap_data(). */
  isMmapProtOk: (ctx, i, ev) => {
    const prot = (field(ev, 'prot') as string | undefined) ?? 'RW';
    return ctx.streams[i]!.dir === 'PLAYBACK' ? prot !== 'NONE' : prot.includes('R');
  },
  /** The data mapping lies within PAGE_ALIGN(dma_bytes) — pcm.mmap-data.size. */
  isMmapDataSizeOk: (ctx, i, ev) => {
    const s = ctx.streams[i]!;
    const dma = pageAlign(s.hw?.dmaBytes ?? 0);
    const size = pageAlign((field(ev, 'bytes') as number | undefined) ?? dma); // mmap(2) maps whole pages
    const offset = (field(ev, 'offset') as number | undefined) ?? 0;
    return size <= dma && offset <= dma - size;
  },
  /** The setup maps its buffer (an MMAP_* access) — pcm.mmap-data.rw-access. */
  isMmapAccess: (ctx, i) => ctx.streams[i]!.hw?.access.startsWith('MMAP_') === true,
  /** The driver allows the status page to be mapped — pcm.mmap-control.refused, pcm_status_mmap_allowed(). */
  isStatusMmapAllowed: (ctx, i) => {
    const s = ctx.streams[i]!;
    const info = hwInfo(ctx, i);
    if (info & INFO.EXPLICIT_SYNC) return false;
    return !(s.userPversion < protocolVersion(2, 0, 14) && info & INFO.SYNC_APPLPTR);
  },
  /** The driver allows the control page to be mapped — pcm_control_mmap_allowed(). */
  isControlMmapAllowed: (ctx, i) => (hwInfo(ctx, i) & (INFO.EXPLICIT_SYNC | INFO.SYNC_APPLPTR)) === 0,
  /** A status/control mapping of exactly one page, readable — pcm.mmap-page.size. */
  isMmapPageOk: (_ctx, _i, ev) => {
    const bytes = (field(ev, 'bytes') as number | undefined) ?? 4096;
    const prot = (field(ev, 'prot') as string | undefined) ?? 'RW';
    return pageAlign(bytes) === 4096 && prot.includes('R'); // mmap(2) rounds the length up to pages
  },
  /** An mmap(2) of length 0, which mmap(2) itself refuses — pcm.mmap-page.size. */
  isZeroLengthMap: (_ctx, _i, ev) => field(ev, 'bytes') === 0,
  /** The area MUNMAP names is mapped. */
  isAreaMapped: (ctx, i, ev) => {
    const s = ctx.streams[i]!;
    const area = field(ev, 'area');
    return (area === 'DATA' ? s.dataMaps : area === 'STATUS' ? s.statusMaps : s.controlMaps) > 0;
  },
  /** The mapping MUNMAP removes is the file's last one — pcm.close.deferred. */
  isLastMapping: (ctx, i) => {
    const s = ctx.streams[i]!;
    return s.dataMaps + s.statusMaps + s.controlMaps === 1;
  },
  /** MMAP/MUNMAP names the data area. */
  isDataArea: (_ctx, _i, ev) => field(ev, 'area') === 'DATA',
  /** MMAP/MUNMAP names the status page. */
  isStatusArea: (_ctx, _i, ev) => field(ev, 'area') === 'STATUS',
  /** The file was opened blocking (DRAIN waits) — pcm.drain.nonblock. */
  isNonblockFile: (ctx, i) => ctx.streams[i]!.fileNonblock,
  /** SYNC_PTR asks for a hwsync first — pcm.sync-ptr.hwsync. */
  hasHwsyncFlag: (_ctx, _i, ev) => ((field(ev, 'flags') as number) & 1) !== 0,
  /** SYNC_PTR reads appl_ptr rather than writing it — pcm.sync-ptr.ok. */
  hasApplFlag: (_ctx, _i, ev) => ((field(ev, 'flags') as number) & 2) !== 0,
  /** SYNC_PTR in the 32-bit compat layout — pcm.sync-ptr.compat32. */
  isCompat32: (_ctx, _i, ev) => field(ev, 'compat32') === true,
  /** Playback silence filling is on (silence_size > 0) — ring.silence.fill. */
  hasSilence: (ctx, i) => ctx.streams[i]!.dir === 'PLAYBACK' && ctx.streams[i]!.silenceSize > 0n,
  /** SYNC_PTR's appl_ptr passes pcm_lib_apply_appl_ptr() — pcm.sync-ptr.appl-invalid. */
  isApplPtrAcceptable: (ctx, i, ev) => {
    const probe = { ...ctx.streams[i]! };
    return applyApplPtr(probe, syncPtrAppl(ev), (probe.info & INFO.NO_REWINDS) !== 0);
  },
  /** The data area is mapped and MAP_WRITE/MAP_READ stays inside it — harness.control-write.unmapped. */
  isInsideDataMapping: (ctx, i, ev) => {
    const s = ctx.streams[i]!;
    if (s.dataMaps === 0 || !s.hw) return false;
    const offset = field(ev, 'offset') as number;
    const bytes = (field(ev, 'frames') as number) * s.hw.frameBytes;
    return offset >= 0 && bytes >= 0 && offset + bytes <= pageAlign(s.hw.dmaBytes);
  },
  /** The control page is mapped, so a store through it lands — pcm.control-write.ok. */
  isControlMapped: (ctx, i) => ctx.streams[i]!.controlMaps > 0,
} satisfies Record<string, Premise>;

export type PremiseName = keyof typeof PREMISES;
export type PremiseRef = PremiseName | `!${PremiseName}`;

export const pageAlign = (n: number): number => Math.ceil(n / 4096) * 4096;

/** runtime->hw.info: the driver's declared flags, and EXPLICIT_SYNC when the open added it
 * (sync.explicit.managed); fixed at open, as the mmap checks read them. */
export function hwInfo(ctx: PcmContext, i: number): number {
  const s = ctx.streams[i]!;
  const caps = ctx.caps[s.dir];
  return ((caps?.info ?? []).reduce((a, f) => a | INFO[f], 0) | (s.explicitSync ? INFO.EXPLICIT_SYNC : 0)) >>> 0;
}

/** params_buffer_bytes() of a configuration. */
export const hwBytes = (p: HwConfig): number => bufferBytes(p, FORMATS[p.format]?.bits ?? 0);

/** Each reference as a function, made once: slicing off the '!' on every test allocated a string
 * and looked the premise up by it. */
const compiled = new Map<PremiseRef, Premise>();

function compile(ref: PremiseRef): Premise {
  if (!ref.startsWith('!')) return PREMISES[ref as PremiseName];
  const f: Premise = PREMISES[ref.slice(1) as PremiseName];
  return (ctx, i, ev) => !f(ctx, i, ev);
}

export function holds(ref: PremiseRef, ctx: PcmContext, i: number, ev: Command): boolean {
  let f = compiled.get(ref);
  if (!f) compiled.set(ref, (f = compile(ref)));
  return f(ctx, i, ev);
}

/** The appl_ptr a SYNC_PTR carries, as the kernel reads it (u32 in the compat layout). */
export function syncPtrAppl(ev: Command): bigint {
  const v = field(ev, 'appl_ptr') as bigint;
  return field(ev, 'compat32') === true ? BigInt.asUintN(32, v) : BigInt.asUintN(64, v);
}
