// Path generation: a breadth-first traversal (traverse.ts, the semantics of xstate/graph's
// getAdjacencyMap) explores the PCM machine from its initial state over the path events
// (generators.ts), identifying states by an abstraction of the context that keeps every
// premise the edges test (state, flags, configuration classes, pointer distances) and drops what
// no edge looks at (absolute pointer values, avail_max). From the adjacency map, a breadth-first
// tree gives the shortest path to every abstract state; each edge of the machine seen in the map
// becomes a path (the tree path, then that event), and a greedy cover keeps the fewest paths that
// together take every edge seen.
import type { AnyStateMachine } from 'xstate';
import type { StreamDir } from '../spec/abi/states.ts';
import type { Command, HwCaps, MemoryInfo } from '../spec/device.ts';
import { initialContext, type KernelVersion, type PcmContext, type StreamCtx } from '../machines/pcm/context.ts';
import { decide } from '../machines/pcm/decide.ts';
import { regionsOf } from '../machines/pcm/machine.ts';
import { pathEvents, type PathGeometry } from './generators.ts';
import { machineFor, Model } from './model.ts';
import { pathTo, traverse } from './traverse.ts';

const clampBig = (v: bigint, lim: bigint) => (v > lim ? 'far+' : v < -lim ? 'far-' : `${v}`);

/** A threshold relative to the setup: the buffer, a period, the boundary, beyond the buffer, or itself. */
function rel(v: bigint, buf: bigint, period: bigint, boundary: bigint): string {
  return v === buf ? 'B' : v === period ? 'P' : v === boundary ? 'N' : v > buf ? '>B' : `${v}`;
}

// (Helpers live outside streamKey: a closure made on every call cost a tenth of the planning.)
function streamKey(s: StreamCtx): string {
  if (s.state === 'CLOSED') return 'C';
  const hw = s.hw;
  const buf = hw?.bufferSize ?? 0n;
  const period = hw?.periodSize ?? 1n;
  const boundary = s.boundary || 1n;
  let q = (((s.applPtr - s.hwPtr) % boundary) + boundary) % boundary;
  if (q > boundary / 2n) q -= boundary;
  const lag = buf > 0n ? (((s.pos - (s.hwPtr % buf)) % buf) + buf) % buf : 0n;
  const b = s.boundary;
  return (
    `${s.state},${s.dir[0]},${s.closed ? 'x' : ''},${s.fileNonblock ? 'n' : 'b'},${s.xferNonblock ? 'n' : 'b'},${s.info},` +
    `${hw ? `${hw.access}/${hw.channels}/${hw.periodSize}x${hw.periods}` : '-'},${b === 0n ? 'b0' : ''},` +
    `${rel(s.availMin, buf, period, b)},${rel(s.startThreshold, buf, period, b)},${rel(s.stopThreshold, buf, period, b)},${rel(s.silenceSize, buf, period, b)},` +
    `${clampBig(q, 3n * buf + 1n)},${lag},${s.pos % period},${s.suspendedState},` +
    `${s.dataMaps},${s.statusMaps},${s.controlMaps},${s.userPversion >= 0x2000e ? 'v14' : ''}`
  );
}

/** The card's memory, where an allocation can fail (otherwise no premise depends on it). */
function memoryKey(ctx: PcmContext): string {
  const m = ctx.memory;
  if (m.unbounded) return '';
  const sub = (d: 'PLAYBACK' | 'CAPTURE') => `${m.subs[d].preBytes}/${m.subs[d].bufferBytesMax}`;
  return `${m.total},${sub('PLAYBACK')},${sub('CAPTURE')},${ctx.streams.map((s) => (s.buf ? `${s.buf.bytes}${s.buf.prealloc ? 'p' : ''}` : '-')).join('/')}`;
}

/** The abstract state: what the machine's edges can tell apart. */
export function abstractKey(ctx: PcmContext, regions: readonly string[]): string {
  return `${regions.join('|')}#${ctx.group.join('>')}#${ctx.disconnected ? 'D' : ''}#${ctx.streams.map(streamKey).join('#')}#${memoryKey(ctx)}`;
}

type Snap = { context: PcmContext; value: unknown; status: string; edges?: string[] };

/**
 * The machine's transition without XState: decide() (which the machine's guards and its one action
 * call) gives the next context, and each region is its stream's state. Five times cheaper than
 * machine.transition(); test/conformance/explorer.test.ts shows both take the same transitions,
 * and every planned path is replayed on the XState machine (edgesAlong) before it is used.
 */
function decideStep(snap: Snap, event: Command): Snap {
  const d = decide(snap.context, event);
  return { context: d.next, value: valueOf(d.next), status: 'active', edges: d.chosen.flatMap((c) => (c ? [c.id] : [])) };
}

/** The machine's state value for a context: one region per file, in its stream's state. */
const valueOf = (ctx: PcmContext): unknown =>
  ctx.files === 1 ? ctx.streams[0]!.state : { fd0: ctx.streams[0]!.state, fd1: ctx.streams[1]!.state };

export interface PathPlan {
  /** Command sequences, each starting from a fresh device. */
  paths: Command[][];
  /** Distinct abstract states explored. */
  states: number;
  /** Transitions explored. */
  transitions: number;
  /** Machine edges (`op:state:index:outcome`) the paths take. */
  edges: Set<string>;
  /** The state cap stopped the exploration before it had seen everything. */
  truncated: boolean;
  /** Model errors met while exploring (each a gap in the edge tables). */
  failures: { path: Command[]; message: string }[];
}

export interface Scenario {
  name: string;
  /** Which path events this scenario sends (from generators.pathEvents). */
  filter: (cmd: Command, ctx: PcmContext) => boolean;
  maxStates: number;
  maxDepth: number;
  /** Probe only the scenario's own commands (the two-file machine leaves single-file commands to
   * the one-file machine). */
  probeOwn?: boolean;
}

export interface ExploreOptions {
  files: 1 | 2;
  caps: Partial<Record<StreamDir, HwCaps>>;
  kernel: KernelVersion;
  memory?: MemoryInfo;
  /** Default: SCENARIOS[files]. */
  scenarios?: readonly Scenario[];
  /** Period and rate of the configurations paths set (generators.REAL_TIME_GEOMETRY for a device
   * that runs in real time); default the smallest the caps admit. */
  geometry?: PathGeometry;
}

const isPage = (c: Command) => (c.type === 'MMAP' || c.type === 'MUNMAP') && c.area !== 'DATA';
const configIs = (c: Command, ctx: PcmContext, access: string | null) => {
  if (c.type !== 'HW_PARAMS') return false;
  const caps = ctx.caps[ctx.streams[c.fd]!.dir];
  return c.params.access === access || (caps !== undefined && c.params.channels > caps.channels.max);
};
const plainSw = (c: Command) => c.type === 'SW_PARAMS' && c.params.silence_size === 0n;
const only = (...types: Command['type'][]) => (c: Command) => types.includes(c.type);
const stream = only('OPEN', 'CLOSE', 'HW_FREE', 'PREPARE', 'START', 'DROP', 'DRAIN', 'PAUSE', 'RESET', 'RESUME', 'XRUN', 'SUSPEND', 'DISCONNECT', 'DEVICE_XRUN', 'ADVANCE');
const move = only('WRITEI', 'READI', 'REWIND', 'FORWARD', 'STATUS');

/**
 * Each scenario explores with a few kinds of commands (which multiply the abstract states) and,
 * from every state it reaches, tries every path command once. Orthogonal features — which access
 * mode, which pages are mapped, silence — get scenarios of their own.
 */
export const SCENARIOS: Readonly<Record<1 | 2, readonly Scenario[]>> = {
  1: [
    {
      name: 'core',
      filter: (c, x) => stream(c) || move(c) || plainSw(c) || configIs(c, x, 'RW_INTERLEAVED') ||
        (c.type === 'SYNC_PTR' && !c.compat32 && (c.flags & 2) === 0),
      maxStates: 3_000,
      maxDepth: 16,
    },
    {
      name: 'mappings',
      filter: (c, x) => stream(c) || isPage(c) || c.type === 'USER_PVERSION' || c.type === 'CONTROL_WRITE' ||
        (c.type === 'MMAP' || c.type === 'MUNMAP') || configIs(c, x, 'MMAP_INTERLEAVED'),
      maxStates: 3_000,
      maxDepth: 10,
    },
    {
      name: 'access',
      filter: (c, x) => stream(c) || only('WRITEI', 'READI', 'WRITEN', 'READN', 'WRITE', 'READ')(c) || (c.type === 'HW_PARAMS' && !configIs(c, x, null)),
      maxStates: 3_000,
      maxDepth: 10,
    },
    {
      name: 'silence',
      filter: (c, x) => stream(c) || c.type === 'WRITEI' || c.type === 'SW_PARAMS' || configIs(c, x, 'RW_INTERLEAVED'),
      maxStates: 1_000,
      maxDepth: 10,
    },
  ],
  2: [
    {
      name: 'group',
      filter: (c, x) => stream(c) || c.type === 'LINK' || c.type === 'UNLINK' || c.type === 'WRITEI' || c.type === 'READI' ||
        plainSw(c) || configIs(c, x, 'RW_INTERLEAVED') || (c.type === 'MMAP' && c.area === 'STATUS' && c.bytes === undefined),
      maxStates: 8_000,
      maxDepth: 14,
      probeOwn: true,
    },
  ],
};

const plans = new Map<string, PathPlan>();

/** planPaths, remembered per device capabilities within a process (plans are deterministic). */
export function planPathsCached(opts: ExploreOptions): PathPlan {
  // Paths are command sequences: a plan made under one kernel's rules serves the other too (the
  // replay follows the backend's own), so the kernel is not part of the key.
  const key = JSON.stringify([opts.files, opts.caps, opts.memory ?? null, opts.scenarios?.map((s) => s.name), opts.geometry]);
  let p = plans.get(key);
  if (!p) plans.set(key, (p = planPaths(opts)));
  return p;
}

export function planPaths(opts: ExploreOptions): PathPlan {
  const machine = machineFor(opts.files);
  const candidates: { path: Command[]; edges: string[] }[] = [];
  const seen = new Set<string>();
  const failures: { path: Command[]; message: string }[] = [];
  let states = 0;
  let transitions = 0;
  let truncated = false;
  for (const sc of opts.scenarios ?? SCENARIOS[opts.files]) {
    let memo: { snap: Snap; events: Command[] } | null = null;
    const eventsOf = (snap: Snap) => (memo?.snap === snap ? memo.events : (memo = { snap, events: pathEvents(snap.context, opts.caps, opts.geometry) }).events);
    const input = { caps: opts.caps, kernel: opts.kernel, files: opts.files, ...(opts.memory ? { memory: opts.memory } : {}) };
    const ctx0 = initialContext(input);
    // Every edge seen, with the first (shortest) path that takes it: the transitions come in
    // breadth-first order, so the first to take an edge is on a shortest path.
    const found: { from: string; event: Command }[] = [];
    const t = traverse<Snap, Command>(machine as unknown as AnyStateMachine, input, {
      expand: (snap) => eventsOf(snap).filter((c) => sc.filter(c, snap.context)),
      probe: (snap) => (sc.probeOwn ? [] : eventsOf(snap)),
      key: (snap) => abstractKey(snap.context, regionsOf(snap)),
      maxStates: sc.maxStates,
      maxDepth: sc.maxDepth,
      step: decideStep,
      recordEdges: false,
      initial: { context: ctx0, value: valueOf(ctx0), status: 'active' },
      onEdge: (from, event, to) => {
        const edges = to.edges ?? [];
        if (edges.every((e) => seen.has(e))) return;
        edges.forEach((e) => seen.add(e));
        found.push({ from, event });
      },
    });
    states += t.nodes.size;
    transitions += t.transitions;
    truncated ||= t.truncated;
    failures.push(...t.failures.map((f) => ({ path: [...pathTo(t, f.from), f.event], message: f.error.message })));
    for (const f of found) candidates.push({ path: [...pathTo(t, f.from), f.event], edges: [] });
  }
  // A path takes an edge at every step: credit each candidate with all of them, then cover greedily.
  for (const c of candidates) c.edges = edgesAlong(opts, c.path);
  candidates.sort((a, b) => b.path.length - a.path.length);
  const covered = new Set<string>();
  const paths: Command[][] = [];
  for (const c of candidates) {
    if (c.edges.some((e) => !covered.has(e))) {
      c.edges.forEach((e) => covered.add(e));
      paths.push(c.path);
    }
  }
  return { paths, states, transitions, edges: covered, truncated, failures };
}

/** The edges a path takes, step by step, replayed on a fresh model. */
function edgesAlong(opts: ExploreOptions, path: readonly Command[]): string[] {
  const m = new Model({ caps: opts.caps, kernel: opts.kernel, files: opts.files, ...(opts.memory ? { memory: opts.memory } : {}) });
  const out: string[] = [];
  for (const c of path) {
    try {
      out.push(...m.send(c).edges);
    } catch {
      break;
    }
  }
  return out;
}
