// The DMA sync points (spec/pcm/sync.md): one buffer's two views, and which side may see which
// part. COHERENT: one view, nothing to sync. IN_SYNC: the views are equal. CPU_AHEAD: somewhere
// only the CPU's view has the newest bytes (the device would read stale memory there).
// DEVICE_AHEAD: somewhere only the device's view has them (the CPU would read stale cache there).
// The events are the core's accesses of the views and its snd_pcm_dma_buffer_sync() calls, each
// tagged with its site; a sync either does nothing (the gate, the direction) or makes the views
// equal, with the rule of the site that made it. Closed: no invoke, no after.
import { not, setup } from 'xstate';
import type { RuleId } from '../../spec/rules.generated.ts';
import type { SyncEffect, SyncSite } from '../../spec/dma.ts';
import { actions } from './actions.ts';
import { initialContext, type SyncContext, type SyncMachineInput } from './context.ts';
import { CPU_SITES, DEVICE_SITES, type SyncEvent } from './events.ts';
import { guards } from './guards.ts';

export interface EdgeMeta {
  rules: readonly RuleId[];
}

export interface StateMeta {
  description: string;
}

interface EdgeSpec {
  guard?: unknown;
  target?: string;
  actions?: unknown[];
  rules: RuleId[];
}

function edges(state: string, event: string, list: EdgeSpec[]): unknown[] {
  return list.map((e, k) => {
    const id = `${state}:${event}#${k}`;
    return {
      ...(e.guard ? { guard: e.guard } : {}),
      ...(e.target ? { target: e.target } : {}),
      actions: [...(event === 'always' ? [] : ['begin']), ...(e.actions ?? []), { type: 'step', params: { id, rules: e.rules } }],
      meta: { rules: e.rules } satisfies EdgeMeta,
    };
  });
}

function on(state: string, table: Record<string, EdgeSpec[]>): Record<string, unknown[]> {
  return Object.fromEntries(Object.entries(table).map(([ev, list]) => [ev, edges(state, ev, list)]));
}

const at = (sites: readonly SyncSite[]) => ({ type: 'atSites', params: { sites } });
const synced = (effect: SyncEffect) => ({ type: 'synced', params: { effect } });

/** The sites of each mode, grouped by the rule that names them. */
const DEVICE_RULES: [readonly SyncSite[], RuleId][] = [
  [['xfer-write'], 'sync.xfer.write'],
  [['silence'], 'sync.silence.fill'],
  [['sync-ptr-appl'], 'sync.sync-ptr.appl'],
  [['rewind', 'forward'], 'sync.rewind.device'],
];
const CPU_RULES: [readonly SyncSite[], RuleId][] = [
  [['xfer-read'], 'sync.xfer.read'],
  [['sync-ptr-hwsync'], 'sync.sync-ptr.hwsync'],
  [['hwsync', 'delay'], 'sync.hwsync.cpu'],
];

function syncEdges(rules: [readonly SyncSite[], RuleId][], view: RuleId): EdgeSpec[] {
  return [
    { guard: 'gateClosed', actions: [synced('gate')], rules: ['sync.point.gate'] },
    { guard: 'directionSkips', actions: [synced('direction')], rules: ['sync.buffer.direction'] },
    ...rules.map(([sites, rule]): EdgeSpec => ({
      guard: at(sites), target: 'IN_SYNC', actions: ['equalise', synced('applied')], rules: [rule, 'sync.buffer.direction', view],
    })),
  ];
}

/** The edges of a state whose buffer needs syncing. `cpu` / `device`: whether that view can be
 * ahead in this state (a stale read is possible, a CPU store may leave device-newer bytes). */
function twoViews(state: string, cpu: boolean, device: boolean): Record<string, unknown[]> {
  return on(state, {
    ATTACH: [{ actions: ['attach'], rules: ['sync.explicit.managed', 'sync.point.gate'] }],
    CPU_WRITE: [
      ...(device ? [{ guard: 'leavesDeviceAhead', target: 'DEVICE_AHEAD', actions: ['cpuWrite'], rules: ['sync.view.cpu-write'] } as EdgeSpec] : []),
      { target: 'CPU_AHEAD', actions: ['cpuWrite'], rules: ['sync.view.cpu-write'] },
    ],
    DEVICE_WRITE: [{ target: 'DEVICE_AHEAD', actions: ['deviceWrite'], rules: ['sync.view.device-write'] }],
    DEVICE_READ: [
      ...(cpu ? [{ guard: 'readsCpuAhead', actions: [{ type: 'read', params: { stale: true } }], rules: ['sync.view.cpu-write'] } as EdgeSpec] : []),
      { actions: [{ type: 'read', params: { stale: false } }], rules: ['sync.view.cpu-write'] },
    ],
    CPU_READ: [
      ...(device ? [{ guard: 'readsDeviceAhead', actions: [{ type: 'read', params: { stale: true } }], rules: ['sync.view.device-write'] } as EdgeSpec] : []),
      { actions: [{ type: 'read', params: { stale: false } }], rules: ['sync.view.device-write'] },
    ],
    SYNC_DEVICE: syncEdges(DEVICE_RULES, 'sync.view.cpu-write'),
    SYNC_CPU: syncEdges(CPU_RULES, 'sync.view.device-write'),
  });
}

export const syncMachine = setup({
  types: {
    context: {} as SyncContext,
    events: {} as SyncEvent,
    input: {} as SyncMachineInput,
    meta: {} as StateMeta,
    transitionMeta: {} as EdgeMeta,
  },
  guards,
  actions,
}).createMachine({
  id: 'dma-sync',
  initial: 'ALLOCATED',
  context: ({ input }: { input: SyncMachineInput }) => initialContext(input),
  states: {
    ALLOCATED: {
      meta: { description: 'snd_dma_alloc_dir_pages(): the type and the platform decide need_sync' },
      always: edges('ALLOCATED', 'always', [
        { guard: 'needsSync', target: 'IN_SYNC', rules: ['sync.buffer.type'] },
        { target: 'COHERENT', rules: ['sync.buffer.type', 'sync.view.coherent'] },
      ]),
    },
    COHERENT: {
      meta: { description: 'no need_sync: one view, the CPU and the device see the same bytes; syncs do nothing' },
      on: on('COHERENT', {
        ATTACH: [{ actions: ['attach'], rules: ['sync.explicit.managed'] }],
        CPU_WRITE: [{ rules: ['sync.view.coherent'] }],
        CPU_READ: [{ actions: [{ type: 'read', params: { stale: false } }], rules: ['sync.view.coherent'] }],
        DEVICE_WRITE: [{ rules: ['sync.view.coherent'] }],
        DEVICE_READ: [{ actions: [{ type: 'read', params: { stale: false } }], rules: ['sync.view.coherent'] }],
        SYNC_DEVICE: [{ actions: [synced('gate')], rules: ['sync.point.gate', 'sync.view.coherent'] }],
        SYNC_CPU: [{ actions: [synced('gate')], rules: ['sync.point.gate', 'sync.view.coherent'] }],
      }),
    },
    IN_SYNC: {
      meta: { description: 'both views hold the same bytes' },
      on: twoViews('IN_SYNC', false, false),
    },
    CPU_AHEAD: {
      meta: { description: "the CPU's view is newer somewhere: the device reads stale memory there until a DEVICE sync" },
      on: twoViews('CPU_AHEAD', true, false),
    },
    DEVICE_AHEAD: {
      meta: { description: "the device's view is newer somewhere: the CPU reads stale cache there until a CPU sync" },
      on: twoViews('DEVICE_AHEAD', true, true),
    },
  },
} as never);

export type SyncMachine = typeof syncMachine;
export { CPU_SITES, DEVICE_SITES };
