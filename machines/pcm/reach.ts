// What a device's capabilities rule out, read from the edge tables alone: a premise that depends
// only on the driver (INFO_PAUSE, INFO_RESUME, INFO_MMAP, the directions it has, whether its
// buffers can need syncing) can hold always, never, or depending on the stream; an edge with a
// premise that never holds, in a state whose implied premises never hold, or behind an earlier
// refusal whose premises always hold, can never be taken. A rule every edge of which is such is
// unreachable on that device (snd-dummy has no PAUSE: pcm.pause.push never happens). The answer
// is sound, not complete: premises on the context are taken to hold either way.
import type { StreamDir } from '../../spec/abi/states.ts';
import { resolveMemory, type HwCaps, type MemoryInfo } from '../../spec/device.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import { edgeId, edgesFor, IMPLIED_BY_STATE, outcomesOf, REGION_STATES } from './decide.ts';
import type { RegionState } from './context.ts';
import type { Edge } from './edges.ts';
import { OPS } from './ops/index.ts';

type Tri = 'always' | 'never' | 'maybe';

export interface DeviceShape {
  caps: Partial<Record<StreamDir, HwCaps>>;
  memory?: MemoryInfo;
}

/** How a premise that depends only on the device can come out in `state`; null: it depends on
 * more. runtime->info is the driver's flags from HW_PARAMS on (pcm.hw-params.ok) but 0 on a fresh
 * file, so in OPEN a flag every direction has may still be missing. */
function premiseOf(name: string, d: DeviceShape, state: RegionState): Tri | null {
  const dirs = Object.values(d.caps).filter((c): c is HwCaps => c !== undefined);
  const setUp = state !== 'OPEN' && state !== 'CLOSED';
  const driverFlag = (f: HwCaps['info'][number]): Tri => {
    const n = dirs.filter((c) => c.info.includes(f)).length;
    return n === 0 ? 'never' : n === dirs.length ? 'always' : 'maybe';
  };
  const runtimeFlag = (f: HwCaps['info'][number]): Tri => {
    const t = driverFlag(f);
    return t === 'always' && !setUp ? 'maybe' : t;
  };
  // EXPLICIT_SYNC comes only from a managed buffer on a platform whose DMA needs syncing.
  const explicitSync = resolveMemory(d.memory).needSync;
  switch (name) {
    case 'hasPauseInfo':
      return runtimeFlag('PAUSE');
    case 'hasResumeInfo':
      return runtimeFlag('RESUME');
    case 'hasMmapInfo':
      return runtimeFlag('MMAP');
    case 'isPlayback':
      return !d.caps.CAPTURE ? 'always' : !d.caps.PLAYBACK ? 'never' : 'maybe';
    case 'hasDirection':
      return d.caps.PLAYBACK && d.caps.CAPTURE ? 'always' : 'maybe';
    case 'hasExplicitSync':
      return explicitSync ? 'maybe' : 'never';
    case 'isControlMmapAllowed':
    case 'isStatusMmapAllowed':
      return !explicitSync && driverFlag('SYNC_APPLPTR') === 'never' ? 'always' : 'maybe';
    default:
      return null;
  }
}

function premise(ref: string, d: DeviceShape, state: RegionState): Tri {
  const negated = ref.startsWith('!');
  const t = premiseOf(negated ? ref.slice(1) : ref, d, state) ?? 'maybe';
  if (!negated || t === 'maybe') return t;
  return t === 'always' ? 'never' : 'always';
}

const all = (e: Edge, d: DeviceShape, state: RegionState, t: Tri) => (e.if ?? []).every((p) => premise(p, d, state) === t);

/** Every edge id of the `files`-file machine that the device can never take. */
export function impossibleEdges(d: DeviceShape, files: 1 | 2): Set<string> {
  const out = new Set<string>();
  for (const op of Object.values(OPS)) {
    for (const state of REGION_STATES) {
      const implied = Object.entries(IMPLIED_BY_STATE[state] ?? {}).map(([p, v]) => (v ? p : `!${p}`));
      const stateImpossible = implied.some((p) => premise(p, d, state) === 'never');
      const edges = edgesFor(op, files, state);
      edges.forEach((e, k) => {
        const shadowed = edges.slice(0, k).some((x) => !x.run && !x.shared && !x.peer && all(x, d, state, 'always'));
        const never = (e.if ?? []).some((p) => premise(p, d, state) === 'never');
        if (!(stateImpossible || shadowed || never)) return;
        outcomesOf(e).forEach((_o, o) => out.add(edgeId(op, state, e, k, o)));
      });
    }
  }
  return out;
}

/** Rules the device can never exercise through the edges of the machines with `files` files: every
 * edge carrying them is impossible, or only a machine left out has it (the suite plans two files
 * only on a device with both directions). Rules no edge carries (noted inside effects) are never
 * listed. */
export function unreachableRules(d: DeviceShape, files: readonly (1 | 2)[] = [1, 2]): RuleId[] {
  const carriers = new Map<RuleId, { possible: boolean }>();
  for (const f of [1, 2] as const) {
    const impossible = files.includes(f) ? impossibleEdges(d, f) : null;
    for (const op of Object.values(OPS)) {
      for (const state of REGION_STATES) {
        edgesFor(op, f, state).forEach((e, k) => {
          outcomesOf(e).forEach((out, o) => {
            const possible = impossible !== null && !impossible.has(edgeId(op, state, e, k, o));
            for (const r of [...e.rules, ...(out.rules ?? [])]) {
              const c = carriers.get(r) ?? { possible: false };
              c.possible ||= possible;
              carriers.set(r, c);
            }
          });
        });
      }
    }
  }
  return [...carriers].filter(([, c]) => !c.possible).map(([r]) => r).sort();
}
