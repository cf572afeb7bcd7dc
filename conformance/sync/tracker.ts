// Replays a backend's record of its buffers' views (spec/dma.ts DmaEvent) on the sync machine, one
// machine per buffer (a preallocated buffer keeps its history across HW_FREE), and checks it as it
// goes: each sync call did what the machine says (nothing by the gate, nothing by the direction, or
// equalised the views), and, where the stream has EXPLICIT_SYNC and the buffer needs syncing, no
// read missed the other side's newer bytes of a committed frame (sync.view.cpu-write,
// sync.view.device-write). `viewsAgree` then checks the backend's actual views against the
// machine: wherever the machine says the views are equal, they are.
import type { StreamDir } from '../../spec/abi/states.ts';
import type { DmaEvent, SyncCall } from '../../spec/dma.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import { covers } from '../../machines/sync/index.ts';
import { SyncModel, type SyncState } from './model.ts';

export interface Fed {
  /** The sync calls the events contained, in order (the core's, whatever they did). */
  calls: SyncCall[];
  /** The buffers a runtime took, as the backend described them. */
  attached: { needSync: boolean; explicit: boolean }[];
  edges: string[];
  rules: RuleId[];
  transitions: string[];
  states: SyncState[];
  /** What went wrong, or null. */
  problem: string | null;
}

export class SyncTracker {
  private readonly buffers = new Map<number, SyncModel>();

  /** `committed`: hold the core to its sync points (no stale read of a committed frame under
   * EXPLICIT_SYNC); off for records that are not the core's own accesses. */
  constructor(private readonly opts: { committed: boolean } = { committed: true }) {}

  private readonly current: Record<StreamDir, number | null> = { PLAYBACK: null, CAPTURE: null };

  /** The machine of the direction's current runtime buffer. */
  model(dir: StreamDir): SyncModel | null {
    const id = this.current[dir];
    return id === null ? null : (this.buffers.get(id) ?? null);
  }

  feed(dir: StreamDir, events: readonly DmaEvent[]): Fed {
    const out: Fed = { calls: [], attached: [], edges: [], rules: [], transitions: [], states: [], problem: null };
    const rules = new Set<RuleId>();
    for (const e of events) {
      if (e.kind === 'ATTACH') {
        let m = this.buffers.get(e.buffer);
        if (!m) {
          m = new SyncModel({ dir: dir === 'PLAYBACK' ? 'TO_DEVICE' : 'FROM_DEVICE', needSync: e.needSync });
          this.buffers.set(e.buffer, m);
          out.edges.push(...m.start.edges);
          m.start.rules.forEach((r) => rules.add(r));
        }
        this.current[dir] = e.buffer;
        out.attached.push({ needSync: e.needSync, explicit: e.explicit });
        this.apply(m, { type: 'ATTACH', explicit: e.explicit }, out, rules);
        continue;
      }
      if (e.kind === 'DETACH') {
        this.current[dir] = null;
        continue;
      }
      const m = this.model(dir);
      if (e.kind === 'SYNC') {
        out.calls.push({ mode: e.mode, site: e.site });
        if (!m) {
          if (e.effect !== 'gate') out.problem ??= `a ${e.mode} sync at ${e.site} with no buffer did ${e.effect}`;
          continue;
        }
        const step = this.apply(m, e.mode === 'CPU' ? { type: 'SYNC_CPU', site: e.site } : { type: 'SYNC_DEVICE', site: e.site }, out, rules);
        const want = step.context.lastSync;
        if (want !== e.effect) out.problem ??= `a ${e.mode} sync at ${e.site}: the machine says ${want}, the backend did ${e.effect}`;
        continue;
      }
      if (!m) {
        out.problem ??= `${e.kind} with no buffer attached`;
        continue;
      }
      const ev =
        e.kind === 'DEVICE_READ' ? { type: e.kind, ofs: e.ofs, len: e.len, committed: e.committed }
        : { type: e.kind, ofs: e.ofs, len: e.len };
      const step = this.apply(m, ev, out, rules);
      const r = step.context.lastRead;
      if (this.opts.committed && r?.stale && r.committed && step.context.explicit && step.context.needSync) {
        out.problem ??= `${e.kind} of bytes [${e.ofs}, ${e.ofs + e.len}) missed the other side's newer data although the stream has EXPLICIT_SYNC`;
      }
    }
    out.rules = [...rules];
    return out;
  }

  private apply(m: SyncModel, ev: Parameters<SyncModel['step']>[0], out: Fed, rules: Set<RuleId>) {
    const step = m.step(ev);
    out.edges.push(...step.edges);
    step.rules.forEach((r) => rules.add(r));
    out.transitions.push(`${step.from} --${ev.type}--> ${step.to}`);
    out.states.push(step.to);
    return step;
  }
}

/** The machine's record against the backend's views: equal wherever the machine says so. */
export function viewsAgree(m: SyncModel, cpu: Uint8Array, dev: Uint8Array, bytes: number): string | null {
  const c = m.snapshot.context;
  if (!c.needSync) return cpu === dev || cpu.every((b, i) => b === dev[i]) ? null : 'a buffer without need_sync has two different views';
  for (let i = 0; i < bytes; i++) {
    if (cpu[i] !== dev[i] && !covers(c.cpuAhead, i) && !covers(c.deviceAhead, i)) {
      return `byte ${i} differs between the CPU's view (${cpu[i]}) and the device's (${dev[i]}) where the machine says they are equal`;
    }
  }
  return null;
}
