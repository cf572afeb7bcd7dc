// The sync machine against the reference's views directly: paths through the machine's graph over a
// 4 KiB buffer in four 1 KiB blocks (each store a fresh stamp), replayed through the inspection
// API's probe (stores and loads by either side, sync calls through the core's gate). After every
// event each block's views must be equal exactly where the machine says so, a load must miss the
// newest stamp exactly when the machine calls it stale, and a sync must do what the machine says.
import type { StreamDir } from '../../spec/abi/states.ts';
import type { Command, HwConfig, PcmBackend, PcmDevice } from '../../spec/device.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import { CPU_SITES, DEVICE_SITES, covers, type SyncEvent } from '../../machines/sync/index.ts';
import { describe, stringify } from '../codec.ts';
import { probeable, syncInspectable } from './inspect.ts';
import { SyncModel, type SyncSnapshot } from './model.ts';
import { SyncTracker } from './tracker.ts';

const BLOCK = 1024;
const BLOCKS = 4;
const HW: HwConfig = { access: 'RW_INTERLEAVED', format: 'S16_LE', channels: 2, rate: 48000, period_size: 256, periods: 4 };

/** The events a path may take: per block, a store and a load by each side; every sync site. */
export function probeEvents(): SyncEvent[] {
  const out: SyncEvent[] = [];
  for (let b = 0; b < BLOCKS; b++) {
    const r = { ofs: b * BLOCK, len: BLOCK };
    out.push({ type: 'CPU_WRITE', ...r }, { type: 'DEVICE_WRITE', ...r }, { type: 'CPU_READ', ...r }, { type: 'DEVICE_READ', ...r, committed: true });
  }
  for (const site of DEVICE_SITES) out.push({ type: 'SYNC_DEVICE', site });
  for (const site of CPU_SITES) out.push({ type: 'SYNC_CPU', site });
  return out;
}

type Rel = 'same' | 'cpu' | 'dev';
const relations = (s: SyncSnapshot): Rel[] =>
  Array.from({ length: BLOCKS }, (_, b) => {
    const i = b * BLOCK;
    return covers(s.context.cpuAhead, i) ? 'cpu' : covers(s.context.deviceAhead, i) ? 'dev' : 'same';
  });
const key = (s: SyncSnapshot) => `${String(s.value)}|${s.context.explicit ? 'x' : ''}|${relations(s).join(',')}`;

/** The setup every probe path starts from: the file open and a 4 KiB buffer attached and cleared. */
export const probeSetup = (dir: StreamDir): Command[] => [
  { type: 'OPEN', fd: 0, stream: dir, nonblock: true },
  { type: 'HW_PARAMS', fd: 0, params: HW },
];

/** Paths over the machine from `start`: an edge cover plus every vertex no kept path passes. */
export function planProbePaths(start: SyncModel): { paths: SyncEvent[][]; states: number } {
  const events = probeEvents();
  const reach = new Map<string, { snap: SyncSnapshot; path: SyncEvent[] }>([[key(start.snapshot), { snap: start.snapshot, path: [] }]]);
  const queue = [...reach.keys()];
  const cands: { path: SyncEvent[]; edges: string[] }[] = [];
  const seen = new Set<string>();
  for (let h = 0; h < queue.length; h++) {
    const { snap, path } = reach.get(queue[h]!)!;
    for (const ev of events) {
      const m = Object.assign(Object.create(SyncModel.prototype) as SyncModel, { snapshot: snap });
      const step = m.step(ev);
      const next = [...path, ev];
      if (step.edges.some((e) => !seen.has(e))) {
        step.edges.forEach((e) => seen.add(e));
        cands.push({ path: next, edges: step.edges });
      }
      const k = key(m.snapshot);
      if (!reach.has(k)) {
        reach.set(k, { snap: m.snapshot, path: next });
        queue.push(k);
      }
    }
  }
  const all = [...cands.map((c) => c.path), ...[...reach.values()].map((v) => v.path)].sort((a, b) => b.length - a.length);
  const texts: string[] = [];
  const paths: SyncEvent[][] = [];
  for (const p of all) {
    const t = stringify(p).slice(0, -1);
    if (p.length === 0 || texts.some((x) => x.startsWith(t))) continue;
    texts.push(t);
    paths.push(p);
  }
  return { paths, states: reach.size };
}

export interface ProbeResult {
  status: 'PASS' | 'FAIL' | 'ERROR' | 'UNSUPPORTED';
  message?: string;
  rules: Set<RuleId>;
  edges: string[];
  transitions: string[];
}

async function setUp(device: PcmDevice, dir: StreamDir): Promise<string | null> {
  for (const c of probeSetup(dir)) {
    const r = await device.exec(c);
    if (!r.ok) return `${describe(c)} failed with ${r.errno}`;
  }
  return null;
}

/** Runs one path on a fresh device of `backend`. */
export async function runProbePath(backend: PcmBackend, dir: StreamDir, path: readonly SyncEvent[]): Promise<ProbeResult> {
  const res: ProbeResult = { status: 'PASS', rules: new Set(), edges: [], transitions: [] };
  const device = await backend.open();
  try {
    if (!syncInspectable(device) || !probeable(device)) return { ...res, status: 'UNSUPPORTED', message: `${device.info.backend} has no view probe` };
    const bad = await setUp(device, dir);
    if (bad) return { ...res, status: 'ERROR', message: bad };
    const tracker = new SyncTracker({ committed: false }); // the probe's loads are not the core's
    const fed0 = tracker.feed(dir, device.takeDma(dir));
    fed0.rules.forEach((r) => res.rules.add(r));
    res.edges.push(...fed0.edges);
    const probe = device.dmaProbe(dir)!;
    const newest = new Array<number>(BLOCKS).fill(0); // the clear of HW_PARAMS wrote zeros
    let stamp = 0;
    const next = () => {
      do stamp = (stamp + 1) & 0xff;
      while (stamp === 0 || stamp === 0xa5);
      return stamp;
    };
    for (let k = 0; k < path.length; k++) {
      const ev = path[k]!;
      let loaded: Uint8Array | null = null;
      let effect: string | null = null;
      const block = 'ofs' in ev ? ev.ofs / BLOCK : -1;
      if (ev.type === 'CPU_WRITE' || ev.type === 'DEVICE_WRITE') {
        const v = next();
        probe.store(ev.type === 'CPU_WRITE' ? 'CPU' : 'DEVICE', ev.ofs, new Uint8Array(ev.len).fill(v));
        newest[block] = v;
      } else if (ev.type === 'CPU_READ' || ev.type === 'DEVICE_READ') {
        loaded = probe.load(ev.type === 'CPU_READ' ? 'CPU' : 'DEVICE', ev.ofs, ev.len);
      } else if (ev.type === 'SYNC_CPU' || ev.type === 'SYNC_DEVICE') {
        effect = probe.sync(ev.type === 'SYNC_CPU' ? 'CPU' : 'DEVICE', ev.site);
      }
      const fed = tracker.feed(dir, device.takeDma(dir));
      fed.rules.forEach((r) => res.rules.add(r));
      res.edges.push(...fed.edges);
      res.transitions.push(...fed.transitions);
      const m = tracker.model(dir)!;
      const c = m.snapshot.context;
      let problem = fed.problem;
      if (!problem && loaded) {
        const stale = loaded.some((x) => x !== newest[block]);
        if (stale !== (c.lastRead?.stale ?? false)) problem = `${ev.type} of block ${block}: the machine says ${c.lastRead?.stale ? 'stale' : 'fresh'}, it read ${loaded[0]} where the newest is ${newest[block]}`;
      }
      if (!problem && effect && effect !== c.lastSync) problem = `${ev.type} at ${'site' in ev ? ev.site : ''}: the machine says ${c.lastSync}, the probe did ${effect}`;
      if (!problem && effect === 'applied') {
        // One view replaced the other: its bytes are the newest now (a CPU sync drops the CPU's stores).
        const v = device.views(dir)!;
        for (let b = 0; b < BLOCKS; b++) newest[b] = v.cpu[b * BLOCK]!;
      }
      if (!problem) {
        const rel = relations(m.snapshot);
        const views = device.views(dir)!;
        for (let b = 0; b < BLOCKS && !problem; b++) {
          const cv = views.cpu.subarray(b * BLOCK, (b + 1) * BLOCK);
          const dv = views.dev.subarray(b * BLOCK, (b + 1) * BLOCK);
          const equal = cv.every((x, i) => x === dv[i]);
          if (equal !== (rel[b] === 'same')) problem = `block ${b}: the machine says ${rel[b]}, the views are ${equal ? 'equal' : 'different'}`;
          else if (rel[b] === 'cpu' && cv[0] !== newest[b]) problem = `block ${b}: the machine says the CPU's view is newer, it holds ${cv[0]} not ${newest[b]}`;
          else if (rel[b] === 'dev' && dv[0] !== newest[b]) problem = `block ${b}: the machine says the device's view is newer, it holds ${dv[0]} not ${newest[b]}`;
        }
      }
      if (problem) return { ...res, status: 'FAIL', message: `event ${k + 1} ${ev.type}: ${problem}` };
    }
    return res;
  } catch (e) {
    return { ...res, status: 'ERROR', message: (e as Error).message };
  } finally {
    await device.dispose();
  }
}

/** The machine as the probe finds it after the setup, to plan from. */
export async function probeStart(backend: PcmBackend, dir: StreamDir): Promise<SyncModel | null> {
  const device = await backend.open();
  try {
    if (!syncInspectable(device) || !probeable(device) || (await setUp(device, dir))) return null;
    const t = new SyncTracker();
    t.feed(dir, device.takeDma(dir));
    return t.model(dir);
  } finally {
    await device.dispose();
  }
}
