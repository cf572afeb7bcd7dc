// The vocabulary of the DMA sync points (spec/pcm/sync.md): the sync calls the core makes and the
// accesses of a buffer's two views. Not part of the PcmDevice seam — a real kernel shows none of
// it — but the words the PCM machine's predictions, the reference's inspection API and the sync
// machine's events share.

/** SNDRV_DMA_SYNC_CPU (the device's view handed to the CPU) or SNDRV_DMA_SYNC_DEVICE. */
export type SyncMode = 'CPU' | 'DEVICE';

/** Where in the core a snd_pcm_dma_buffer_sync() call is made, each with its rule. */
export const SYNC_SITES = {
  'xfer-write': 'sync.xfer.write',
  'xfer-read': 'sync.xfer.read',
  silence: 'sync.silence.fill',
  'sync-ptr-appl': 'sync.sync-ptr.appl',
  'sync-ptr-hwsync': 'sync.sync-ptr.hwsync',
  hwsync: 'sync.hwsync.cpu',
  delay: 'sync.hwsync.cpu',
  rewind: 'sync.rewind.device',
  forward: 'sync.rewind.device',
} as const;
export type SyncSite = keyof typeof SYNC_SITES;

/** A snd_pcm_dma_buffer_sync() call, as the core makes it (whether or not it does anything). */
export interface SyncCall {
  mode: SyncMode;
  site: SyncSite;
}

/** What a sync call did: `gate` — nothing, the stream has no EXPLICIT_SYNC or its buffer needs no
 * sync (sync.point.gate); `direction` — nothing, the buffer's direction does not need this sync
 * (sync.buffer.direction); `applied` — one view was handed to the other. */
export type SyncEffect = 'gate' | 'direction' | 'applied';

/** One event in the life of a buffer's views, in byte offsets within the buffer. */
export type DmaEvent =
  /** The runtime takes a buffer (a HW_PARAMS that changed it): `buffer` names it for as long as
   * it lives (a preallocated buffer comes back after HW_FREE); `explicit` is the runtime's
   * EXPLICIT_SYNC. */
  | { kind: 'ATTACH'; buffer: number; needSync: boolean; explicit: boolean }
  /** The runtime lets go of its buffer (HW_FREE, a failed HW_PARAMS, release). */
  | { kind: 'DETACH'; buffer: number }
  /** The core stores into the CPU's view: a transfer's copy, silence, HW_PARAMS clearing it. */
  | { kind: 'CPU_WRITE'; ofs: number; len: number; why: 'xfer' | 'silence' | 'clear' }
  /** The core copies out of the CPU's view (a capture transfer). */
  | { kind: 'CPU_READ'; ofs: number; len: number }
  /** The DMA engine reads the device's view (playback). `committed`: the frames lie before
   * appl_ptr, so the application has handed them over. */
  | { kind: 'DEVICE_READ'; ofs: number; len: number; committed: boolean }
  /** The DMA engine stores into the device's view (capture). */
  | { kind: 'DEVICE_WRITE'; ofs: number; len: number }
  | { kind: 'SYNC'; mode: SyncMode; site: SyncSite; effect: SyncEffect };
