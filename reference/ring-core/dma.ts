// struct snd_dma_buffer with the two views a non-coherent buffer has (sound/core/memalloc.c).
//
// A buffer whose allocator set need_sync keeps a CPU view (what the core's stores and loads see:
// the caches) and a device view (memory, what the DMA engine sees); data crosses only at
// snd_dma_buffer_sync(). Any other buffer has one view: both fields are the same array. Freshly
// allocated memory holds POISON in both views, so bytes nobody wrote — or that never crossed a
// sync — are visible for what they are.
import { NEED_SYNC_TYPES, type DmaType } from '../../spec/abi/memalloc.ts';
import type { SyncEffect, SyncMode } from '../../spec/dma.ts';

/** What fresh memory holds in the reference: not silence, not the test pattern. */
export const POISON = 0xa5;

export type DmaDir = 'TO_DEVICE' | 'FROM_DEVICE';

let serial = 0;

export class DmaBuffer {
  /** A name for the inspection API's ATTACH/DETACH events. */
  readonly id = ++serial;
  /** The CPU's view (dmab->area as the CPU reads it). */
  readonly cpu: Uint8Array;
  /** The device's view; the same array as `cpu` unless the buffer needs syncing. */
  readonly dev: Uint8Array;

  constructor(
    /** dmab->dev.type */
    readonly type: DmaType,
    /** dmab->dev.dir */
    readonly dir: DmaDir,
    /** dmab->bytes: page-aligned. */
    readonly bytes: number,
    /** dmab->dev.need_sync */
    readonly needSync: boolean,
    /** In a SharedArrayBuffer, so that another thread can be the device (the `sharedDma` option
     * for benchmarks); nothing else changes. */
    shared = false,
  ) {
    const memory = (): Uint8Array => (shared ? new Uint8Array(new SharedArrayBuffer(bytes)) : new Uint8Array(bytes)).fill(POISON);
    this.cpu = memory();
    this.dev = needSync ? memory() : this.cpu;
  }

  /** snd_dma_buffer_sync() with the type's sync op (snd_dma_noncoherent_sync(),
   * snd_dma_noncontig_sync()): the whole buffer, in the direction the mode names. */
  sync(mode: SyncMode): SyncEffect {
    if (!this.needSync) return 'gate';
    if (mode === 'CPU') {
      if (this.dir === 'TO_DEVICE') return 'direction';
      this.cpu.set(this.dev); // invalidate: the CPU's own stores are dropped
    } else {
      if (this.dir === 'FROM_DEVICE') return 'direction';
      this.dev.set(this.cpu); // flush
    }
    return 'applied';
  }
}

/** The allocator sets need_sync for `type` on a platform whose dma_need_sync() is `platform`. */
export function allocNeedsSync(type: DmaType, v61: boolean, platform: boolean): boolean {
  return platform && NEED_SYNC_TYPES[v61 ? '6.1' : '7.2'].includes(type);
}
