// The PCM buffer allocator as the machines see it: the card's accounting, the preallocation with
// its fallback, snd_pcm_lib_malloc_pages() / snd_pcm_lib_free_pages() and the prealloc proc
// files (spec/pcm/managed.md), as pure functions over a `CardMem` the caller owns (the machines
// apply them to a copy of their context). The PCM machine and the buffer machine both decide with
// these, so the two cannot disagree on an allocation.
import type { StreamDir } from '../../spec/abi/states.ts';
import { NEED_SYNC_TYPES, PREALLOC_WRITE_MIN, SND_MINIMUM_BUFFER, UINT_MAX, type DmaType } from '../../spec/abi/memalloc.ts';
import { PAGE_SIZE } from '../../spec/abi/structs.ts';
import { resolveMemory, type BufferSetup, type MemoryInfo, type ProcFile } from '../../spec/device.ts';

export type KernelVersion = '7.2' | '6.1';

/** The buffer fields of one substream (struct snd_pcm_substream). */
export interface SubMem {
  setup: BufferSetup;
  /** substream->dma_buffer.bytes: the preallocated buffer (0: none). */
  preBytes: number;
  /** substream->dma_buffer.dev.need_sync (sync.explicit.managed). */
  devNeedSync: boolean;
  /** substream->buffer_bytes_max (buffer.managed.over-prealloc). */
  bufferBytesMax: number;
  /** substream->dma_max. */
  dmaMax: number;
}

/** runtime->dma_buffer_p: the runtime's buffer. Treated as a value: replaced, never mutated. */
export interface RuntimeBuf {
  bytes: number;
  /** It is the substream's preallocated buffer (not freed by snd_pcm_lib_free_pages()). */
  prealloc: boolean;
  /** dmab->dev.need_sync (sync.buffer.type). */
  needSync: boolean;
}

/** The card's memory: the accounting, the limits and each direction's substream. */
export interface CardMem {
  kernel: KernelVersion;
  /** card->total_pcm_alloc_bytes. */
  total: number;
  /** max_alloc_per_card (0: none). */
  limit: number;
  /** The allocator's own limit on live bytes (null: none). */
  budget: number | null;
  /** dma_need_sync() answers true. */
  platformNeedSync: boolean;
  subs: Record<StreamDir, SubMem>;
  /** No allocation can ever fail on this card: the machines' premises about memory are constant,
   * and the path exploration may ignore the memory (conformance/explore.ts). */
  unbounded: boolean;
}

export const pageAlign = (n: number): number => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

/** The allocator sets need_sync for this type (sync.buffer.type). */
export const typeNeedsSync = (type: DmaType, kernel: KernelVersion, platform: boolean): boolean =>
  platform && NEED_SYNC_TYPES[kernel].includes(type);

export function cloneMem(m: CardMem): CardMem {
  return { ...m, subs: { PLAYBACK: { ...m.subs.PLAYBACK }, CAPTURE: { ...m.subs.CAPTURE } } };
}

/** do_alloc_pages(): the card's check and reservation, then the allocator. The bytes allocated
 * (page-aligned), or null for ENOMEM. buffer.card.accounting. */
export function allocPages(m: CardMem, size: number): number | null {
  if (m.limit !== 0 && m.total + size > m.limit) return null;
  const bytes = pageAlign(size);
  if (m.budget !== null && m.total + bytes > m.budget) return null; // the reservation is taken back
  m.total += bytes;
  return bytes;
}

/** do_free_pages(). */
export function freePages(m: CardMem, bytes: number): void {
  m.total -= bytes;
}

/** preallocate_pages() at probe: buffer.prealloc.managed, .legacy, .on-demand, .fallback, .fixed. */
function preallocate(m: CardMem, dir: StreamDir): void {
  const sub = m.subs[dir];
  const { size, max, type } = sub.setup;
  if (size > 0) {
    let s = size;
    for (;;) {
      const got = allocPages(m, s);
      if (got !== null) {
        sub.preBytes = got;
        sub.devNeedSync = typeNeedsSync(type, m.kernel, m.platformNeedSync);
        break;
      }
      if (max === 0) break; // no fallback: the error goes to the driver, which goes on
      s = Math.floor(s / 2);
      if (s < SND_MINIMUM_BUFFER) break;
    }
  }
  if (sub.preBytes > 0) sub.bufferBytesMax = sub.preBytes;
  sub.dmaMax = max;
}

/** The card after probe: both directions' preallocations, playback first. */
export function initialMemory(info: MemoryInfo | undefined, kernel: KernelVersion, bufferBytesMax: Partial<Record<StreamDir, number>>): CardMem {
  const r = resolveMemory(info);
  const sub = (dir: StreamDir): SubMem => ({ setup: r.buffers[dir], preBytes: 0, devNeedSync: false, bufferBytesMax: UINT_MAX, dmaMax: 0 });
  const m: CardMem = {
    kernel,
    total: 0,
    limit: r.maxAllocPerCard,
    budget: r.budget,
    platformNeedSync: r.needSync,
    subs: { PLAYBACK: sub('PLAYBACK'), CAPTURE: sub('CAPTURE') },
    unbounded: false,
  };
  const dirs = (['PLAYBACK', 'CAPTURE'] as const).filter((d) => bufferBytesMax[d] !== undefined);
  for (const d of dirs) preallocate(m, d);
  // The most the card can ever hold: each direction's runtime buffer (at most the driver's
  // buffer_bytes_max) plus a preallocated one twice over (a prealloc write allocates the new one
  // before it frees the old).
  const worst = dirs.reduce((n, d) => n + pageAlign(bufferBytesMax[d]!) + 2 * Math.max(m.subs[d].preBytes, pageAlign(m.subs[d].dmaMax)), 0);
  m.unbounded = (m.limit === 0 || worst <= m.limit) && (m.budget === null || worst <= m.budget);
  return m;
}

export type MallocResult = 'reuse' | 'prealloc' | 'own' | 'enomem';

/**
 * snd_pcm_lib_malloc_pages(): the runtime's buffer for `size` bytes. Mutates `m`; returns what it
 * did and the runtime buffer afterwards (null after ENOMEM: a too-small buffer was released first).
 * buffer.hw-params.reuse, .prealloc, .own, .enomem.
 */
export function mallocPages(m: CardMem, dir: StreamDir, rt: RuntimeBuf | null, size: number): { result: MallocResult; buf: RuntimeBuf | null } {
  const sub = m.subs[dir];
  if (rt) {
    if (rt.bytes >= size) return { result: 'reuse', buf: rt };
    releaseBuf(m, rt);
  }
  if (sub.preBytes > 0 && sub.preBytes >= size) {
    return { result: 'prealloc', buf: { bytes: sub.preBytes, prealloc: true, needSync: sub.devNeedSync } };
  }
  if (sub.preBytes > 0 && sub.dmaMax === 0) return { result: 'enomem', buf: null };
  const got = allocPages(m, size);
  if (got === null) return { result: 'enomem', buf: null };
  return {
    result: 'own',
    buf: { bytes: got, prealloc: false, needSync: sub.devNeedSync || typeNeedsSync(sub.setup.type, m.kernel, m.platformNeedSync) },
  };
}

/** snd_pcm_lib_free_pages(): an own buffer is freed, the preallocated one only detached. */
export function releaseBuf(m: CardMem, rt: RuntimeBuf | null): void {
  if (rt && !rt.prealloc) freePages(m, rt.bytes);
}

/** The bytes HW_PARAMS asks for, params_buffer_bytes(). */
export const bufferBytes = (p: { period_size: number; periods: number; channels: number }, sampleBits: number): number =>
  (p.period_size * p.periods * p.channels * sampleBits) / 8;

// ---- the proc files

/** The files exist (buffer.proc.files). */
export const hasProcFiles = (m: CardMem, dir: StreamDir): boolean => m.subs[dir].dmaMax > 0;

/** buffer.proc.prealloc-read, buffer.proc.prealloc-max-read. */
export function procText(m: CardMem, dir: StreamDir, file: ProcFile): string {
  const sub = m.subs[dir];
  return `${Math.floor((file === 'prealloc' ? sub.preBytes : sub.dmaMax) / 1024)}\n`;
}

const U64 = 1n << 64n;

/** The KiB a prealloc write asks for, as the kernel reads the first token of the first line; a
 * string names the error (7.2's kstrtoul(); 6.1's simple_strtoul() never fails). */
export function parseKib(text: string, kernel: KernelVersion): bigint | 'EINVAL' | 'ERANGE' {
  // snd_info_get_line(): up to the first newline, at most 63 characters; snd_info_get_str(): skip
  // blanks, then a quoted string or a run up to a blank, at most 63 characters.
  let line = text.split('\n', 1)[0]!.slice(0, 63);
  line = line.replace(/^[ \t]+/, '');
  let tok: string;
  if (line.startsWith('"') || line.startsWith("'")) {
    const q = line[0]!;
    const end = line.indexOf(q, 1);
    tok = (end < 0 ? line.slice(1) : line.slice(1, end)).slice(0, 63);
  } else {
    tok = /^[^ \t]*/.exec(line)![0].slice(0, 63);
  }
  if (kernel === '6.1') {
    const digits = /^\d*/.exec(tok)![0];
    return digits === '' ? 0n : BigInt(digits) % U64;
  }
  const m = /^\+?(\d+)\n?$/.exec(tok);
  if (!m) return 'EINVAL';
  const v = BigInt(m[1]!);
  return v >= U64 ? 'ERANGE' : v;
}

export type ProcWriteResult =
  | { error: 'EBUSY' | 'EINVAL' | 'ERANGE' | 'ENOMEM' }
  | { error: null; action: 'same' | 'free' | 'alloc'; size: number };

/** snd_pcm_lib_preallocate_proc_write() at close. Mutates `m` when it succeeds.
 * buffer.proc.prealloc-write, buffer.proc.write-swallowed. */
export function procWrite(m: CardMem, dir: StreamDir, text: string, substreamOpen: boolean): ProcWriteResult {
  const sub = m.subs[dir];
  if (substreamOpen) return { error: 'EBUSY' };
  if (text.length === 0) return { error: 'EINVAL' }; // snd_info_get_line() finds no line
  const kib = parseKib(text, m.kernel);
  if (typeof kib === 'string') return { error: kib };
  const sizeBig = (kib * 1024n) % U64; // unsigned long arithmetic
  if ((sizeBig !== 0n && sizeBig < BigInt(PREALLOC_WRITE_MIN)) || sizeBig > BigInt(sub.dmaMax)) return { error: 'EINVAL' };
  const size = Number(sizeBig);
  if (sub.preBytes === size) return { error: null, action: 'same', size };
  if (size > 0) {
    const got = allocPages(m, size);
    if (got === null) return { error: 'ENOMEM' };
    if (sub.preBytes > 0) freePages(m, sub.preBytes);
    sub.preBytes = got;
    // new_dmab.dev is a copy of the old record; the allocation sets need_sync for its types
    if (NEED_SYNC_TYPES[m.kernel].includes(sub.setup.type)) sub.devNeedSync = m.platformNeedSync;
    sub.bufferBytesMax = size;
    return { error: null, action: 'alloc', size };
  }
  if (sub.preBytes > 0) freePages(m, sub.preBytes);
  sub.preBytes = 0;
  sub.bufferBytesMax = UINT_MAX;
  return { error: null, action: 'free', size };
}
