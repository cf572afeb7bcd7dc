// DMA buffer types and the constants of the PCM buffer allocator: include/sound/memalloc.h and
// sound/core/pcm_memory.c (Linux 7.2; 6.1 differences noted). spec/pcm/managed.md and sync.md.

/** SNDRV_DMA_TYPE_* values on x86_64 with CONFIG_SND_DMA_SGBUF and CONFIG_GENERIC_ALLOCATOR. */
export const DMA_TYPE = {
  CONTINUOUS: 1,
  DEV: 2,
  DEV_SG: 3, // 6.1: = NONCONTIG (8)
  DEV_IRAM: 4, // = DEV (2) without CONFIG_GENERIC_ALLOCATOR
  DEV_WC: 5,
  DEV_WC_SG: 6,
  VMALLOC: 7,
  NONCONTIG: 8,
  NONCOHERENT: 9,
} as const;
export type DmaType = keyof typeof DMA_TYPE;
export const DMA_TYPES = Object.keys(DMA_TYPE) as DmaType[];

/** The types whose allocator sets need_sync from dma_need_sync() (sync.buffer.type). */
export const NEED_SYNC_TYPES: Readonly<Record<'7.2' | '6.1', readonly DmaType[]>> = {
  '7.2': ['NONCONTIG', 'NONCOHERENT'],
  '6.1': ['NONCONTIG', 'NONCOHERENT', 'DEV_SG'],
};

/** snd_minimum_buffer: the preallocation fallback stops below it (buffer.prealloc.fallback). */
export const SND_MINIMUM_BUFFER = 16384;

/** The max_alloc_per_card module parameter's default (buffer.card.accounting). */
export const MAX_ALLOC_PER_CARD = 32 * 1024 * 1024;

/** UINT_MAX: substream->buffer_bytes_max without a preallocation. */
export const UINT_MAX = 0xffffffff;

/** The smallest non-zero size a prealloc write accepts, in bytes (buffer.proc.prealloc-write). */
export const PREALLOC_WRITE_MIN = 8192;

/** Text proc entries refuse input past this many bytes (buffer.proc.prealloc-max-write). */
export const PROC_TEXT_MAX = 16 * 1024;

/** The maximum_substreams module parameter's default: substreams numbered at or above it are not
 * preallocated (buffer.prealloc.fallback). */
export const MAXIMUM_SUBSTREAMS = 4;
