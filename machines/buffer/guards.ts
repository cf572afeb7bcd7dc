// The premises the buffer machine's edges test, each with the rule it decides and the kernel
// function it mirrors. Guards read the context and the event only.
import { FORMATS } from '../../spec/abi/params.ts';
import { PROC_TEXT_MAX } from '../../spec/abi/memalloc.ts';
import type { HwConfig } from '../../spec/device.ts';
import { admissible } from '../pcm/hw-constraints.ts';
import { bufferBytes, cloneMem, hasProcFiles, mallocPages, pageAlign, procWrite, type MallocResult } from './allocator.ts';
import type { BufferContext } from './context.ts';
import type { BufferEvent } from './events.ts';

type Args = { context: BufferContext; event: BufferEvent };

const params = (e: BufferEvent): HwConfig | null => (e.type === 'HW_PARAMS' ? e.params : null);
/** params_buffer_bytes() of an admissible configuration. */
export const bytesOf = (p: HwConfig): number => bufferBytes(p, FORMATS[p.format]?.bits ?? 0);

export const guards = {
  /** buffer.prealloc.managed — snd_pcm_set_managed_buffer() set managed_buffer_alloc. */
  isManaged: ({ context }: Args) => context.mem.subs[context.dir].setup.managed,
  /** buffer.prealloc.on-demand — the setup's size is 0. */
  isOnDemand: ({ context }: Args) => context.mem.subs[context.dir].setup.size === 0,
  /** buffer.prealloc.fixed — size > 0 and max 0: snd_pcm_set_fixed_buffer(). */
  isFixed: ({ context }: Args) => context.mem.subs[context.dir].setup.max === 0,
  /** buffer.prealloc.fallback — the probe got less than it asked for (or nothing). */
  isFallenBack: ({ context }: Args) => {
    const sub = context.mem.subs[context.dir];
    return sub.preBytes < pageAlign(sub.setup.size);
  },
  /** pcm.hw-params.invalid — the driver's constraints admit the configuration. */
  isAdmissible: ({ context, event }: Args) => {
    const p = params(event);
    return p !== null && admissible(context.caps, p);
  },
  /** buffer.managed.over-prealloc — snd_pcm_hw_rule_buffer_bytes_max(). */
  isOverBufferBytesMax: ({ context, event }: Args) => {
    const p = params(event);
    return p !== null && bytesOf(p) > context.mem.subs[context.dir].bufferBytesMax;
  },
  /** What snd_pcm_lib_malloc_pages() will do with the pending request. */
  mallocIs: ({ context }: Args, p: { result: MallocResult }) =>
    context.pending !== null && mallocPages(cloneMem(context.mem), context.dir, context.buf, context.pending.bytes).result === p.result,
  /** The runtime buffer is the substream's preallocated one. */
  onPrealloc: ({ context }: Args) => context.buf?.prealloc === true,
  /** The file is being released (CLOSE, or the last MUNMAP of a closed file). */
  isClosing: ({ context }: Args) => context.closing,
  /** pcm.mmap-data.no-mmap — the driver's info has MMAP. */
  hasMmapInfo: ({ context }: Args) => context.caps.info.includes('MMAP'),
  /** pcm.mmap-data.rw-access — the setup maps its buffer. */
  isMmapAccess: ({ context }: Args) => context.access?.startsWith('MMAP_') === true,
  /** pcm.hw-params.mmapped, pcm.hw-free.mmapped — substream->mmap_count. */
  isMapped: ({ context }: Args) => context.mapped > 0,
  /** pcm.close.deferred — the mapping MUNMAP removes is the last. */
  isLastMapping: ({ context }: Args) => context.mapped === 1,
  /** MMAP/MUNMAP name the data area (the only one this machine follows). */
  isDataArea: ({ event }: Args) => (event.type === 'MMAP' || event.type === 'MUNMAP') && event.area === 'DATA',
  /** buffer.proc.files — the substream has prealloc files. */
  hasProcFiles: ({ context, event }: Args) =>
    (event.type === 'PROC_READ' || event.type === 'PROC_WRITE') && event.stream === context.dir && hasProcFiles(context.mem, context.dir),
  /** buffer.proc.prealloc-max-read, buffer.proc.prealloc-max-write. */
  isProcMaxFile: ({ event }: Args) => (event.type === 'PROC_READ' || event.type === 'PROC_WRITE') && event.file === 'prealloc_max',
  /** buffer.proc.prealloc-max-write — snd_info_text_entry_write() refuses past 16 KiB. */
  isProcTextTooLong: ({ event }: Args) => event.type === 'PROC_WRITE' && event.text.length > PROC_TEXT_MAX,
  /** buffer.proc.prealloc-write — the write parses, is in range and gets its buffer. */
  isProcWriteAccepted: ({ context, event }: Args) =>
    event.type === 'PROC_WRITE' && procWrite(cloneMem(context.mem), context.dir, event.text, false).error === null,
};

export type GuardName = keyof typeof guards;
