// The premises of the sync machine's edges. Each names the rule it decides and the kernel function
// it mirrors.
import type { SyncSite } from '../../spec/dma.ts';
import type { SyncContext } from './context.ts';
import type { SyncEvent } from './events.ts';
import { overlaps, remove, type Range } from './ranges.ts';

type Args = { context: SyncContext; event: SyncEvent };

const range = (e: SyncEvent): Range | null => ('ofs' in e ? [e.ofs, e.ofs + e.len] : null);

export const guards = {
  /** sync.buffer.type — the allocator set need_sync (NONCONTIG, NONCOHERENT on such a platform). */
  needsSync: ({ context }: Args) => context.needSync,
  /** sync.point.gate — snd_pcm_dma_buffer_sync(): nothing without EXPLICIT_SYNC and need_sync. */
  gateClosed: ({ context }: Args) => !(context.explicit && context.needSync),
  /** sync.buffer.direction — snd_dma_noncoherent_sync(): a CPU sync of a TO_DEVICE buffer or a
   * DEVICE sync of a FROM_DEVICE one does nothing. */
  directionSkips: ({ context, event }: Args) =>
    (event.type === 'SYNC_CPU' && context.dir === 'TO_DEVICE') || (event.type === 'SYNC_DEVICE' && context.dir === 'FROM_DEVICE'),
  /** The sync call comes from one of these sites. */
  atSites: ({ event }: Args, p: { sites: readonly SyncSite[] }) =>
    (event.type === 'SYNC_CPU' || event.type === 'SYNC_DEVICE') && p.sites.includes(event.site),
  /** sync.view.cpu-write — the device reads bytes the CPU wrote after the last DEVICE sync. */
  readsCpuAhead: ({ context, event }: Args) => {
    const r = range(event);
    return r !== null && overlaps(context.cpuAhead, r);
  },
  /** sync.view.device-write — the CPU reads bytes the device wrote after the last CPU sync. */
  readsDeviceAhead: ({ context, event }: Args) => {
    const r = range(event);
    return r !== null && overlaps(context.deviceAhead, r);
  },
  /** After this CPU store, bytes the device wrote are still unseen elsewhere in the buffer. */
  leavesDeviceAhead: ({ context, event }: Args) => {
    const r = range(event);
    return r !== null && remove(context.deviceAhead, r).length > 0;
  },
};

export type GuardName = keyof typeof guards;
