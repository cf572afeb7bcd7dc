// The PCM buffer allocator: sound/core/pcm_memory.c (preallocation, snd_pcm_lib_malloc_pages(),
// snd_pcm_lib_free_pages(), the card's accounting, the prealloc proc files) over memalloc.c's
// snd_dma_alloc_dir_pages(). The system allocator is simulated by a budget: an allocation that
// would take the card's live bytes past it fails with ENOMEM, like a failing alloc_pages().
import { PREALLOC_WRITE_MIN, PROC_TEXT_MAX, SND_MINIMUM_BUFFER, UINT_MAX } from '../../spec/abi/memalloc.ts';
import { PAGE_SIZE } from '../../spec/abi/structs.ts';
import { INFO } from '../../spec/abi/params.ts';
import type { ProcFile } from '../../spec/device.ts';
import { fault, type Card, type Substream } from './card.ts';
import { allocNeedsSync, DmaBuffer } from './dma.ts';
import { kerr, type KErr } from './errors.ts';

const PAGE_ALIGN = (n: number): number => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

/** The card's side: card->total_pcm_alloc_bytes against max_alloc_per_card, and the system's
 * memory behind it. */
export class CardMemory {
  /** card->total_pcm_alloc_bytes */
  total = 0;

  constructor(
    /** max_alloc_per_card (0: no limit) */
    readonly maxAllocPerCard: number,
    /** bytes the simulated system allocator will hand out (null: any) */
    readonly budget: number | null,
    /** dma_need_sync() */
    readonly platformNeedSync: boolean,
  ) {}
}

/** do_alloc_pages(): check and reserve, allocate, correct the account. null: ENOMEM. */
function doAllocPages(card: Card, s: Substream, size: number): DmaBuffer | null {
  const mem = card.memory;
  const checked = fault(s, 'card-limit-aligned') ? PAGE_ALIGN(size) : size;
  if (mem.maxAllocPerCard && mem.total + checked > mem.maxAllocPerCard) return null;
  mem.total += size;
  // snd_dma_alloc_dir_pages(): PAGE_ALIGN, the direction from the stream
  const bytes = PAGE_ALIGN(size);
  if (mem.budget !== null && mem.total - size + bytes > mem.budget) {
    mem.total -= size; // take back on allocation failure
    return null;
  }
  const buf = new DmaBuffer(s.setup.type, s.playback ? 'TO_DEVICE' : 'FROM_DEVICE', bytes, allocNeedsSync(s.setup.type, card.v61, mem.platformNeedSync), card.opts.sharedDma);
  mem.total += bytes - size;
  return buf;
}

/** do_free_pages(). */
function doFreePages(card: Card, buf: DmaBuffer): void {
  card.memory.total -= buf.bytes;
}

/** preallocate_pages() at probe, with preallocate_pcm_pages()'s fallback. */
export function preallocatePages(s: Substream): void {
  const { size, max } = s.setup;
  if (size > 0) {
    let sz = size;
    do {
      const buf = doAllocPages(s.card, s, sz);
      if (buf) {
        s.dmaBuffer = buf;
        s.dmaDevNeedSync = buf.needSync;
        break;
      }
      if (max === 0) break; // no fallback; the driver ignores the error (snd-dummy, snd-aloop)
      sz >>= 1;
    } while (sz >= SND_MINIMUM_BUFFER);
  }
  if (s.dmaBuffer) s.bufferBytesMax = s.dmaBuffer.bytes;
  s.dmaMax = max;
}

/** snd_pcm_lib_malloc_pages(): 1 when the runtime's buffer changed, 0 when kept, or ENOMEM. */
export function libMallocPages(s: Substream, size: number): 0 | 1 | KErr {
  const rt = s.rt;
  const rec = s.card.recorder;
  if (rt.dmaBuffer) {
    if (rt.dmaBuffer.bytes >= size) {
      rt.dmaBytes = size;
      rec.call(s.dir, `core.malloc reuse ${size}`);
      return 0;
    }
    libFreePages(s);
  }
  let buf: DmaBuffer;
  if (s.dmaBuffer && s.dmaBuffer.bytes >= size) {
    buf = s.dmaBuffer;
    rec.call(s.dir, `core.malloc prealloc ${size}`);
  } else {
    if (s.dmaBuffer && s.dmaMax === 0) {
      rec.call(s.dir, `core.malloc enomem ${size}`);
      return kerr('ENOMEM', 'buffer.hw-params.enomem');
    }
    const got = doAllocPages(s.card, s, size);
    if (!got) {
      rec.call(s.dir, `core.malloc enomem ${size}`);
      return kerr('ENOMEM', 'buffer.hw-params.enomem');
    }
    buf = got;
    rec.call(s.dir, `core.malloc own ${size}`);
  }
  setRuntimeBuffer(s, buf, size);
  return 1;
}

/** snd_pcm_set_runtime_buffer() followed by runtime->dma_bytes = size. */
function setRuntimeBuffer(s: Substream, buf: DmaBuffer | null, size: number): void {
  const rt = s.rt;
  const rec = s.card.recorder;
  if (rt.dmaBuffer && rt.dmaBuffer !== buf) rec.dmaEvent(s.dir, { kind: 'DETACH', buffer: rt.dmaBuffer.id });
  if (buf && rt.dmaBuffer !== buf) {
    rec.dmaEvent(s.dir, { kind: 'ATTACH', buffer: buf.id, needSync: buf.needSync, explicit: (s.hwInfo & INFO.EXPLICIT_SYNC) !== 0 });
  }
  rt.dmaBuffer = buf;
  rt.dmaBytes = buf ? size : 0;
  rt.dma = buf ? buf.cpu.subarray(0, size) : null;
  rt.devView = buf ? buf.dev.subarray(0, size) : null;
}

/** snd_pcm_lib_free_pages(). */
export function libFreePages(s: Substream): void {
  const rt = s.rt;
  const buf = rt.dmaBuffer;
  if (!buf) return;
  if (buf !== s.dmaBuffer) {
    doFreePages(s.card, buf);
    s.card.recorder.call(s.dir, `core.free own ${buf.bytes}`);
  } else {
    s.card.recorder.call(s.dir, 'core.free prealloc');
  }
  setRuntimeBuffer(s, null, 0);
}

// ---- the proc files: snd_pcm_lib_preallocate_proc_read(), _max_proc_read(), _proc_write()

/** A proc file access that the kernel refuses at open(2) or write(2). */
function procAbsent(s: Substream | undefined): KErr | null {
  if (!s || s.card.shutdown || s.dmaMax === 0) return kerr('ENOENT', 'buffer.proc.files');
  return null;
}

export function procRead(s: Substream | undefined, file: ProcFile): KErr | string {
  const e = procAbsent(s);
  if (e) return e;
  const v = file === 'prealloc' ? (s!.dmaBuffer?.bytes ?? 0) : s!.dmaMax;
  return `${Math.floor(v / 1024)}\n`;
}

/** write(2) then close(2); the write callback runs at the close and its error is dropped. Returns
 * the bytes written, or the error write(2) itself returned. */
export function procWrite(s: Substream | undefined, file: ProcFile, text: string): KErr | { bytes: number; error: string | null } {
  const e = procAbsent(s);
  if (e) return e;
  const sub = s!;
  if (file === 'prealloc_max' || text.length > PROC_TEXT_MAX) return kerr('EIO', 'buffer.proc.prealloc-max-write');
  const error = preallocateProcWrite(sub, text);
  if (error && fault(sub, 'proc-write-reports-error')) return kerr(error as 'EBUSY', 'buffer.proc.write-swallowed');
  return { bytes: text.length, error };
}

/** snd_info_get_line() then snd_info_get_str(): the first token of the first line, or null when
 * there is no line. */
function firstToken(text: string): string | null {
  if (text.length === 0) return null;
  let line = '';
  for (let i = 0; i < text.length && text[i] !== '\n'; i++) if (line.length < 63) line += text[i];
  let i = 0;
  while (line[i] === ' ' || line[i] === '\t') i++;
  let tok = '';
  const q = line[i];
  if (q === '"' || q === "'") {
    for (i++; i < line.length && line[i] !== q && tok.length < 63; i++) tok += line[i];
  } else {
    for (; i < line.length && line[i] !== ' ' && line[i] !== '\t' && tok.length < 63; i++) tok += line[i];
  }
  return tok;
}

const ULONG = 1n << 64n;

/** kstrtoul(str, 10) (7.2) or simple_strtoul(str, NULL, 10) (6.1). */
function parseUlong(tok: string, v61: boolean): bigint | 'EINVAL' | 'ERANGE' {
  let i = 0;
  if (!v61 && tok[0] === '+') i++;
  let v = 0n;
  let digits = 0;
  let overflow = false;
  for (; i < tok.length && tok[i]! >= '0' && tok[i]! <= '9'; i++, digits++) {
    v = v * 10n + BigInt(tok.charCodeAt(i) - 48);
    if (v >= ULONG) overflow = true;
  }
  if (v61) return v % ULONG;
  if (digits === 0 || i !== tok.length) return 'EINVAL';
  return overflow ? 'ERANGE' : v;
}

/** The write callback: null, or the errno it put in buffer->error. */
function preallocateProcWrite(s: Substream, text: string): string | null {
  if (s.runtime) return 'EBUSY';
  const tok = firstToken(text);
  if (tok === null) return 'EINVAL';
  const n = parseUlong(tok, s.card.v61);
  if (typeof n === 'string') return n;
  const size = (n * 1024n) % ULONG;
  if ((size !== 0n && size < BigInt(PREALLOC_WRITE_MIN)) || size > BigInt(s.dmaMax)) return 'EINVAL';
  const bytes = Number(size);
  if ((s.dmaBuffer?.bytes ?? 0) === bytes) return null;
  let fresh: DmaBuffer | null = null;
  if (bytes > 0) {
    fresh = doAllocPages(s.card, s, bytes);
    if (!fresh) return 'ENOMEM';
    s.bufferBytesMax = bytes;
    s.dmaDevNeedSync = fresh.needSync || (s.dmaDevNeedSync && !allocSetsNeedSync(s));
    s.card.recorder.call(s.dir, `proc.alloc ${fresh.bytes}`);
  } else {
    s.bufferBytesMax = UINT_MAX;
  }
  if (s.dmaBuffer) {
    doFreePages(s.card, s.dmaBuffer);
    s.card.recorder.call(s.dir, `proc.free ${s.dmaBuffer.bytes}`);
  }
  s.dmaBuffer = fresh;
  return null;
}

/** The substream's type is one whose allocator sets need_sync (and would have cleared it). */
function allocSetsNeedSync(s: Substream): boolean {
  return allocNeedsSync(s.setup.type, s.card.v61, true);
}
