// What the sync machine's edges do to the views' record (spec/pcm/sync.md).
import { assign } from 'xstate';
import type { SyncEffect } from '../../spec/dma.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import type { SyncContext } from './context.ts';
import type { SyncEvent } from './events.ts';
import { add, remove, type Range } from './ranges.ts';

type Args = { context: SyncContext; event: SyncEvent };

const act = <P extends Record<string, unknown> | undefined = undefined>(f: (a: Args, p: P) => Partial<SyncContext>) =>
  assign<SyncContext, SyncEvent, P, SyncEvent, never>(({ context, event }, p) => f({ context, event }, p));

const range = (e: SyncEvent): Range => ('ofs' in e ? [e.ofs, e.ofs + e.len] : [0, 0]);

export const actions = {
  begin: act(() => ({ steps: [], lastRead: null, lastSync: null })),
  /** What a sync call did. */
  synced: act<{ effect: SyncEffect }>((_, p) => ({ lastSync: p.effect })),
  step: act<{ id: string; rules: readonly RuleId[] }>(({ context }, p) => ({ steps: [...context.steps, { id: p.id, rules: p.rules }] })),
  /** A runtime takes the buffer: its EXPLICIT_SYNC now decides the gate. */
  attach: act(({ event }) => (event.type === 'ATTACH' ? { explicit: event.explicit } : {})),
  /** The CPU stores: its view is ahead there, whatever the device had written. */
  cpuWrite: act(({ context, event }) => ({ cpuAhead: add(context.cpuAhead, range(event)), deviceAhead: remove(context.deviceAhead, range(event)) })),
  /** The device stores: its view is ahead there. */
  deviceWrite: act(({ context, event }) => ({ deviceAhead: add(context.deviceAhead, range(event)), cpuAhead: remove(context.cpuAhead, range(event)) })),
  /** A read that misses the other view's newer bytes, or one that does not. */
  read: act<{ stale: boolean }>(({ event }, p) => ({ lastRead: { stale: p.stale, committed: event.type === 'DEVICE_READ' ? event.committed : true } })),
  /** A DEVICE sync hands the whole CPU view to the device; a CPU sync the whole device view to the
   * CPU (dropping the CPU's own stores). Either way the views are equal afterwards. */
  equalise: act(() => ({ cpuAhead: [], deviceAhead: [] })),
};
