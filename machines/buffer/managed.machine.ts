// The managed-buffer lifecycle of one substream (spec/pcm/managed.md): which buffer the runtime
// holds, and the order in which the core's allocation and the driver's callbacks run.
//
// Stable states: CLOSED (no file), OPEN (a runtime without a buffer), PREALLOC (the runtime on the
// substream's preallocated buffer), OWN (the runtime on a buffer of its own), HELD (the file was
// closed while its buffer was mapped). The steps of one command are transient states left by
// `always` edges, so the diagram shows their order: a managed HW_PARAMS goes ALLOC →
// DRIVER_HW_PARAMS → INSTALL, a legacy one DRIVER_HW_PARAMS → ALLOC → INSTALL; HW_FREE, the error
// path of HW_PARAMS and the release of a file go DRIVER_HW_FREE → CORE_FREE (→ DRIVER_CLOSE).
// Every edge carries `meta.rules`; refusals carry their errno. Only the data area's mappings
// concern the buffer: MMAP and MUNMAP of the status or control page are not this machine's events
// (the PCM machine has them). Closed: no invoke, no after.
import { and, not, setup } from 'xstate';
import type { Errno } from '../../spec/abi/errno.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import { actions } from './actions.ts';
import { initialContext, type BufferContext, type BufferMachineInput } from './context.ts';
import type { BufferEvent } from './events.ts';
import { guards } from './guards.ts';
import type { MallocResult } from './allocator.ts';

export interface EdgeMeta {
  rules: readonly RuleId[];
  errno?: Errno;
}

export interface StateMeta {
  description: string;
}

type Guard = string | { type: string; params?: unknown } | ReturnType<typeof and> | ReturnType<typeof not>;
interface EdgeSpec {
  guard?: Guard;
  target?: string;
  actions?: (string | { type: string; params?: unknown })[];
  rules: RuleId[];
  errno?: Errno;
}

/** Builds the edges of one state and event: ids `STATE:EVENT#k`, the `step` record, the meta. An
 * external event's edge begins with `begin`; an `always` edge continues the command. */
function edges(state: string, event: string, list: EdgeSpec[]): unknown[] {
  return list.map((e, k) => {
    const id = `${state}:${event}#${k}`;
    const acts = [
      ...(event === 'always' ? [] : ['begin']),
      ...(e.errno && !e.target ? [{ type: 'refuse', params: { errno: e.errno } }] : []),
      ...(e.actions ?? []),
      { type: 'step', params: { id, rules: e.rules } },
    ];
    return {
      ...(e.guard ? { guard: e.guard } : {}),
      ...(e.target ? { target: e.target } : {}),
      actions: acts,
      meta: { rules: e.rules, ...(e.errno ? { errno: e.errno } : {}) } satisfies EdgeMeta,
    };
  });
}

const refuse = (errno: Errno, rules: RuleId[], guard?: Guard): EdgeSpec => ({ ...(guard ? { guard } : {}), errno, rules });
const NOT_OPEN = (rule: RuleId = 'pcm.file.not-open') => [refuse('EBADF', [rule])];

function on(state: string, table: Record<string, EdgeSpec[]>): Record<string, unknown[]> {
  return Object.fromEntries(Object.entries(table).map(([ev, list]) => [ev, edges(state, ev, list)]));
}

/** The proc files, in every stable state: `open` says whether the substream has a runtime. */
function procTable(open: boolean): Record<string, EdgeSpec[]> {
  return {
    PROC_READ: [
      refuse('ENOENT', ['buffer.proc.files'], not('hasProcFiles')),
      { guard: 'isProcMaxFile', actions: ['procRead'], rules: ['buffer.proc.files', 'buffer.proc.prealloc-max-read'] },
      { actions: ['procRead'], rules: ['buffer.proc.files', 'buffer.proc.prealloc-read'] },
    ],
    PROC_WRITE: [
      refuse('ENOENT', ['buffer.proc.files'], not('hasProcFiles')),
      refuse('EIO', ['buffer.proc.prealloc-max-write'], 'isProcMaxFile'),
      refuse('EIO', ['buffer.proc.prealloc-max-write'], 'isProcTextTooLong'),
      ...(open
        ? [{ actions: ['procSwallowed'], rules: ['buffer.proc.write-swallowed'] } as EdgeSpec]
        : [
            { guard: not('isProcWriteAccepted'), actions: ['procSwallowed'], rules: ['buffer.proc.write-swallowed'] } as EdgeSpec,
            { actions: ['procWrite'], rules: ['buffer.proc.prealloc-write', 'buffer.card.accounting'] } as EdgeSpec,
          ]),
    ],
  };
}

/** HW_PARAMS from a state that may take one: the refinement, then the allocation or the driver. */
function hwParams(setupState: boolean): EdgeSpec[] {
  return [
    ...(setupState ? [refuse('EBADFD', ['pcm.hw-params.mmapped'], 'isMapped')] : []),
    {
      guard: not('isAdmissible'), target: 'DRIVER_HW_FREE', actions: [{ type: 'failRequest', params: { errno: 'EINVAL' } }],
      rules: ['pcm.hw-params.invalid', 'buffer.hw-params.error-path'], errno: 'EINVAL',
    },
    {
      guard: 'isOverBufferBytesMax', target: 'DRIVER_HW_FREE', actions: [{ type: 'failRequest', params: { errno: 'EINVAL' } }],
      rules: ['buffer.managed.over-prealloc', 'buffer.hw-params.error-path'], errno: 'EINVAL',
    },
    { guard: 'isManaged', target: 'ALLOC', actions: ['takeRequest'], rules: ['buffer.hw-params.alloc-first'] },
    { target: 'DRIVER_HW_PARAMS', actions: ['takeRequest'], rules: ['buffer.prealloc.legacy'] },
  ];
}

const mallocIs = (result: MallocResult) => ({ type: 'mallocIs', params: { result } });

/** snd_pcm_lib_malloc_pages(): managed, the driver's hw_params comes next; legacy, it is running. */
function allocEdges(): EdgeSpec[] {
  const out: EdgeSpec[] = [
    {
      guard: mallocIs('enomem'), target: 'DRIVER_HW_FREE', actions: ['malloc'],
      rules: ['buffer.hw-params.enomem', 'buffer.card.accounting', 'buffer.hw-params.error-path'], errno: 'ENOMEM',
    },
  ];
  const results: [MallocResult, RuleId[]][] = [
    ['reuse', ['buffer.hw-params.reuse']],
    ['prealloc', ['buffer.hw-params.prealloc']],
    ['own', ['buffer.hw-params.own', 'buffer.card.accounting']],
  ];
  for (const [r, rules] of results) {
    out.push({ guard: and([mallocIs(r), 'isManaged']), target: 'DRIVER_HW_PARAMS', actions: ['malloc'], rules });
    out.push({ guard: mallocIs(r), target: 'INSTALL', actions: ['malloc'], rules: [...rules, 'buffer.prealloc.legacy'] });
  }
  return out;
}

const SETUP_COMMON = (state: 'PREALLOC' | 'OWN') =>
  on(state, {
    OPEN: NOT_OPEN('harness.open.slot-in-use'),
    CLOSE: [
      { guard: 'isMapped', target: 'HELD', actions: ['succeed'], rules: ['pcm.close.deferred'] },
      { target: 'DRIVER_HW_FREE', actions: ['succeed', 'startClose'], rules: ['pcm.close.release', 'buffer.close.release'] },
    ],
    HW_PARAMS: hwParams(true),
    HW_FREE: [
      refuse('EBADFD', ['pcm.hw-free.mmapped'], 'isMapped'),
      { target: 'DRIVER_HW_FREE', actions: ['succeed'], rules: ['pcm.hw-free.ok', 'buffer.hw-free.order'] },
    ],
    MMAP: [
      refuse('ENXIO', ['pcm.mmap-data.no-mmap'], and(['isDataArea', not('hasMmapInfo')])),
      refuse('EINVAL', ['pcm.mmap-data.rw-access'], and(['isDataArea', not('isMmapAccess')])),
      { guard: 'isDataArea', actions: ['map'], rules: ['pcm.mmap-data.ok'] },
    ],
    MUNMAP: [
      { guard: and(['isDataArea', 'isMapped']), actions: ['unmap'], rules: ['pcm.munmap.ok'] },
      { guard: 'isDataArea', actions: ['succeed'], rules: ['pcm.munmap.ok'] },
    ],
    ...procTable(true),
  });

export const bufferMachine = setup({
  types: {
    context: {} as BufferContext,
    events: {} as BufferEvent,
    input: {} as BufferMachineInput,
    meta: {} as StateMeta,
    transitionMeta: {} as EdgeMeta,
  },
  guards,
  actions,
}).createMachine({
  id: 'pcm-buffer',
  initial: 'PROBE',
  context: ({ input }: { input: BufferMachineInput }) => initialContext(input),
  states: {
    PROBE: {
      meta: { description: "the driver's probe set the substream's buffer up (the context holds what it got)" },
      always: edges('PROBE', 'always', [
        { guard: not('isManaged'), target: 'CLOSED', rules: ['buffer.prealloc.legacy'] },
        { guard: 'isOnDemand', target: 'CLOSED', rules: ['buffer.prealloc.on-demand'] },
        { guard: 'isFixed', target: 'CLOSED', rules: ['buffer.prealloc.fixed', 'buffer.card.accounting'] },
        { guard: 'isFallenBack', target: 'CLOSED', rules: ['buffer.prealloc.fallback', 'buffer.card.accounting'] },
        { target: 'CLOSED', rules: ['buffer.prealloc.managed', 'buffer.card.accounting'] },
      ]),
    },
    CLOSED: {
      meta: { description: 'no file holds the substream: only the proc files (and a prealloc write) reach it' },
      on: on('CLOSED', {
        OPEN: [{ target: 'OPEN', actions: ['driverOpen', 'succeed'], rules: ['pcm.open.ok'] }],
        CLOSE: NOT_OPEN(),
        HW_PARAMS: NOT_OPEN(),
        HW_FREE: NOT_OPEN(),
        MMAP: NOT_OPEN(),
        MUNMAP: [{ actions: ['succeed'], rules: ['pcm.munmap.ok'] }],
        ...procTable(false),
      }),
    },
    OPEN: {
      meta: { description: 'a runtime without a buffer: fresh, after HW_FREE, or after a failed HW_PARAMS' },
      on: on('OPEN', {
        OPEN: NOT_OPEN('harness.open.slot-in-use'),
        CLOSE: [{ target: 'DRIVER_CLOSE', actions: ['succeed', 'startClose'], rules: ['pcm.close.release', 'buffer.close.release'] }],
        HW_PARAMS: hwParams(false),
        HW_FREE: [refuse('EBADFD', ['pcm.hw-free.bad-state'])],
        MMAP: [refuse('EBADFD', ['pcm.mmap-data.open'], 'isDataArea')],
        MUNMAP: [{ guard: 'isDataArea', actions: ['succeed'], rules: ['pcm.munmap.ok'] }],
        ...procTable(true),
      }),
    },
    PREALLOC: {
      meta: { description: "the runtime uses the substream's preallocated buffer (kept by HW_FREE)" },
      on: SETUP_COMMON('PREALLOC'),
    },
    OWN: {
      meta: { description: 'the runtime uses a buffer of its own, charged to the card (freed by HW_FREE)' },
      on: SETUP_COMMON('OWN'),
    },
    HELD: {
      meta: { description: 'the file is closed; its data mapping still holds the substream and its buffer' },
      on: on('HELD', {
        OPEN: NOT_OPEN('harness.open.slot-in-use'),
        CLOSE: NOT_OPEN(),
        HW_PARAMS: NOT_OPEN(),
        HW_FREE: NOT_OPEN(),
        MMAP: NOT_OPEN(),
        MUNMAP: [
          { guard: and(['isDataArea', 'isLastMapping']), target: 'DRIVER_HW_FREE', actions: ['unmap', 'startClose'], rules: ['pcm.munmap.ok', 'pcm.close.deferred', 'buffer.close.release'] },
          { guard: 'isDataArea', actions: ['unmap'], rules: ['pcm.munmap.ok'] },
        ],
        ...procTable(true),
      }),
    },
    ALLOC: {
      meta: { description: 'snd_pcm_lib_malloc_pages(): keep, take the preallocated, allocate, or ENOMEM' },
      always: edges('ALLOC', 'always', allocEdges()),
    },
    DRIVER_HW_PARAMS: {
      meta: { description: "the driver's hw_params callback (a legacy driver allocates inside it)" },
      always: edges('DRIVER_HW_PARAMS', 'always', [
        { guard: 'isManaged', target: 'INSTALL', actions: [{ type: 'driverHwParams', params: { managed: true } }], rules: ['buffer.hw-params.alloc-first'] },
        { target: 'ALLOC', actions: [{ type: 'driverHwParams', params: { managed: false } }], rules: ['buffer.prealloc.legacy'] },
      ]),
    },
    INSTALL: {
      meta: { description: 'the runtime takes the configuration; the CPU view of the buffer is cleared' },
      always: edges('INSTALL', 'always', [
        { guard: 'onPrealloc', target: 'PREALLOC', actions: ['install'], rules: ['pcm.hw-params.ok'] },
        { target: 'OWN', actions: ['install'], rules: ['pcm.hw-params.ok'] },
      ]),
    },
    DRIVER_HW_FREE: {
      meta: { description: "the driver's hw_free callback (a legacy driver frees inside it)" },
      always: edges('DRIVER_HW_FREE', 'always', [
        { guard: 'isManaged', target: 'CORE_FREE', actions: [{ type: 'driverHwFree', params: { managed: true } }], rules: ['buffer.hw-free.order'] },
        { target: 'CORE_FREE', actions: [{ type: 'driverHwFree', params: { managed: false } }], rules: ['buffer.hw-free.order', 'buffer.prealloc.legacy'] },
      ]),
    },
    CORE_FREE: {
      meta: { description: 'snd_pcm_lib_free_pages(): an own buffer is freed, the preallocated one kept' },
      always: edges('CORE_FREE', 'always', [
        { guard: 'isClosing', target: 'DRIVER_CLOSE', actions: ['coreFree'], rules: ['buffer.hw-free.order', 'buffer.close.release'] },
        { target: 'OPEN', actions: ['coreFree', 'dropSetup'], rules: ['buffer.hw-free.order'] },
      ]),
    },
    DRIVER_CLOSE: {
      meta: { description: "the driver's close callback: the runtime goes" },
      always: edges('DRIVER_CLOSE', 'always', [{ target: 'CLOSED', actions: ['driverClose'], rules: ['pcm.close.release'] }]),
    },
  },
} as never);

export type BufferMachine = typeof bufferMachine;

/** The states a command can end in. */
export const STABLE_STATES = ['CLOSED', 'OPEN', 'PREALLOC', 'OWN', 'HELD'] as const;
export type StableState = (typeof STABLE_STATES)[number];
