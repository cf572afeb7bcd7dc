// One step on a backend whose clock is not the test's (device.advance.observed). The hardware
// moves while a command runs and between commands; the runner sees where it got to (the status
// page after each command, and what STATUS, DELAY, SYNC_PTR and partial counts return) but not
// when. So each step tries the few interleavings of that observed progress with the command —
// nothing, the command's own hwsync at the observed position, interrupts before it — each
// followed by the interrupts that account for the pages afterwards, and keeps the first that
// explains the backend's answer and pages. None does: a divergence.
import type { Command, MoveKind, Outcome, PeekValue } from '../spec/device.ts';
import type { PcmContext, StreamCtx } from '../machines/pcm/context.ts';
import { decide } from '../machines/pcm/decide.ts';
import { isRunning, u64 } from '../machines/pcm/runtime.ts';
import { diffOutcome, diffPeek } from './compare.ts';

type Moved = Extract<Command, { type: 'MOVED' }>;

/** Rules whose edges sleep in a wait the device's own time ends. */
const WAIT_RULES = new Set(['pcm.xfer.wait', 'pcm.drain.wait']);

/** Period boundaries tried as unseen interrupt positions, per stream. */
const MAX_BOUNDARIES = 12;

/** Forward distance from `from` to `to` on the pointer circle. */
const ahead = (from: bigint, to: bigint, boundary: bigint) => (to >= from ? to - from : to + boundary - from);

const moved = (fd: number, hw_ptr: bigint, how: MoveKind): Moved => ({ type: 'MOVED', fd, hw_ptr, how });

/** hw_ptr on the pointer circle: `v` reduced into [0, boundary). */
const onCircle = (v: bigint, boundary: bigint): bigint => ((v % boundary) + boundary) % boundary;

/**
 * Where the command's own hwsync found the hardware, when its answer says: STATUS and SYNC_PTR
 * return hw_ptr; DELAY, and the counts of a transfer, REWIND or FORWARD cut short by the room
 * there was, are functions of it (ring.avail, pcm.delay, pcm.rewind, pcm.forward), and a running
 * stream's RESET leaves appl_ptr where it found hw_ptr.
 */
export function revealed(cmd: Command, b: Outcome, s: StreamCtx, page?: PeekValue | null): bigint | undefined {
  if (!b.ok || !s.hw || s.boundary === 0n) return undefined;
  const buf = s.hw.bufferSize;
  const playback = s.dir === 'PLAYBACK';
  // hw_ptr from avail, from hw_avail (buffer - avail)
  const fromAvail = (a: bigint) => onCircle(playback ? s.applPtr + a - buf : s.applPtr + a, s.boundary);
  const fromHwAvail = (h: bigint) => fromAvail(buf - h);
  switch (cmd.type) {
    case 'STATUS':
      return b.status?.hw_ptr;
    case 'SYNC_PTR':
      return b.sync?.hw_ptr;
    case 'DELAY':
      return b.value === undefined ? undefined : playback ? fromHwAvail(b.value) : fromAvail(b.value);
    case 'WRITEI':
    case 'READI':
    case 'WRITEN':
    case 'READN':
      return b.value !== undefined && b.value < BigInt(cmd.frames) ? fromAvail(b.value) : undefined;
    case 'WRITE':
    case 'READ':
      return b.value !== undefined && b.value < BigInt(cmd.bytes) ? fromAvail(b.value / BigInt(s.hw.frameBytes)) : undefined;
    case 'RESET': {
      // A running stream's reset keeps hw_ptr mod buffer_size and puts appl_ptr there (pcm.reset.ok).
      if (!page || page.appl_ptr >= buf) return undefined;
      return onCircle(s.hwPtr + onCircle(page.appl_ptr - s.hwPtr, buf), s.boundary);
    }
    case 'FORWARD':
      return b.value !== undefined && b.value < u64(cmd.frames) ? fromAvail(b.value) : undefined;
    case 'REWIND':
      return b.value !== undefined && b.value < u64(cmd.frames) ? fromHwAvail(b.value) : undefined;
    default:
      return undefined;
  }
}

export interface Explained {
  /** The model events, in order: MOVED before, the command (absent for ADVANCE), MOVED after. */
  events: Command[];
  /** Index of the command in `events`, or -1. */
  at: number;
  /** Why the backend disagrees, when no interleaving explains it (the first candidate's diff). */
  divergence?: string;
  /** Model errors of every candidate, when none could even run. */
  errors?: string[];
}

interface Trial {
  ctx: PcmContext;
  outcome: Outcome | null;
  rules: string[];
}

function run(ctx: PcmContext, events: readonly Command[], at: number): Trial {
  let outcome: Outcome | null = null;
  let rules: string[] = [];
  for (let k = 0; k < events.length; k++) {
    ctx = decide(ctx, events[k]!).next;
    if (k === at) {
      outcome = ctx.last;
      rules = ctx.lastRules;
    }
  }
  return { ctx, outcome, rules };
}

const peekOf = (ctx: PcmContext, fd: number): PeekValue | null | undefined => {
  const { next } = decide(ctx, { type: 'PEEK', fd });
  return next.last.ok ? next.last.peek : undefined;
};

/** The MOVED events that bring each stream to what its page shows after the step. */
function after(ctx: PcmContext, pages: readonly (PeekValue | null | undefined)[], waited: boolean, how: 'irq' | 'late' | 'wait'): Moved[] {
  const out: Moved[] = [];
  pages.forEach((p, fd) => {
    const s = ctx.streams[fd]!;
    if (!p || !s.hw || p.hw_ptr === s.hwPtr) return;
    if (how === 'wait' ? waited : isRunning(s)) out.push(moved(fd, p.hw_ptr, how));
  });
  return out;
}

export interface StepInput {
  ctx: PcmContext;
  cmd: Command;
  backend: Outcome;
  pages: readonly (PeekValue | null | undefined)[];
}

/** What is compared of an outcome on a real device: all of it but STATUS's avail_max, the largest
 * avail any update saw since the last STATUS — updates at device times nobody observes (the
 * hwsync at the start of a transfer, the wake-ups of a wait). */
export function project(o: Outcome): Outcome {
  if (!o.ok || !o.status) return o;
  return { ...o, status: { ...o.status, avail_max: 0n } };
}

/** Finds model events that explain one step of a real-time backend. */
export function explain(input: StepInput): Explained {
  const { ctx, cmd, backend, pages } = input;
  // ADVANCE is a wait: what a running stream did meanwhile is observed (MOVED); a stream that does
  // not run must not move, and the model's own ADVANCE says so (device.advance.stopped, value 0).
  const stopped = cmd.type === 'ADVANCE' && !(ctx.streams[cmd.fd] && isRunning(ctx.streams[cmd.fd]!));
  const command: Command[] = cmd.type === 'ADVANCE' && !stopped ? [] : [cmd];
  const fd = 'fd' in cmd && (cmd.type !== 'ADVANCE' || stopped) ? cmd.fd : -1;
  // What may have happened before the command, per stream.
  const options: Moved[][][] = ctx.streams.map((s, i) => {
    const opts: Moved[][] = [[]];
    if (!isRunning(s) || !s.hw) return opts;
    const r = i === fd ? revealed(cmd, backend, s, pages[i]) : undefined;
    const page = pages[i]?.hw_ptr;
    const seen = new Set<bigint>();
    for (const x of [r, page]) if (x !== undefined && x !== s.hwPtr) seen.add(x);
    // Interrupts the pages need not show: the period boundaries ahead, as far as a stream can run
    // before the page's position or an xrun would stop it.
    const period = s.hw.periodSize;
    const reach = page !== undefined && ahead(s.hwPtr, page, s.boundary) < s.boundary / 2n
      ? ahead(s.hwPtr, page, s.boundary) : 0n;
    const limit = (reach > s.hw.bufferSize ? reach : s.hw.bufferSize) + period;
    const boundaries: bigint[] = [];
    for (let d = period - (s.hwPtr % period); d <= limit && boundaries.length < MAX_BOUNDARIES; d += period) {
      boundaries.push((s.hwPtr + d) % s.boundary);
    }
    if (i === fd) {
      for (const x of seen) opts.push([moved(i, x, 'pointer')]);
      // The command's hwsync saw the hardware a little further than any page showed (what a page
      // shows afterwards can be gone: a RESET that found an xrun zeroes hw_ptr).
      const nudge = (s.hwPtr + 1n) % s.boundary;
      if (!seen.has(nudge)) opts.push([moved(i, nudge, 'pointer')]);
    }
    for (const x of seen) opts.push([moved(i, x, 'irq')], [moved(i, x, 'late')]);
    for (const b of boundaries) if (!seen.has(b)) opts.push([moved(i, b, 'irq')]);
    if (i === fd) {
      for (const x of seen) {
        for (const b of [...(page !== undefined && page !== x && page !== s.hwPtr ? [page] : []), ...boundaries]) {
          if (ahead(b, x, s.boundary) < s.hw.bufferSize && b !== x) opts.push([moved(i, b, 'irq'), moved(i, x, 'pointer')]);
        }
      }
    }
    return opts;
  });
  // The cartesian product, simplest first (the command's own stream varies fastest).
  let befores: Moved[][] = [[]];
  for (const opts of options) befores = befores.flatMap((b) => opts.map((o) => [...b, ...o]));
  befores.sort((a, b) => a.length - b.length);
  let first: Explained | null = null;
  const errors: string[] = [];
  for (const before of befores) {
    let base: Trial;
    try {
      base = run(ctx, [...before, ...command], command.length ? before.length : -1);
    } catch (e) {
      errors.push((e as Error).message);
      continue;
    }
    const waited = base.rules.some((r) => WAIT_RULES.has(r));
    for (const how of waited ? (['irq', 'late', 'wait'] as const) : (['irq', 'late'] as const)) {
      const tail = after(base.ctx, pages, waited, how);
      let t: Trial;
      try {
        t = tail.length ? { ...base, ctx: run(base.ctx, tail, -1).ctx } : base;
      } catch (e) {
        errors.push((e as Error).message);
        continue;
      }
      const events = [...before, ...command, ...tail];
      const at = command.length ? before.length : -1;
      let divergence: string | null = null;
      if (t.outcome) divergence = diffOutcome(project(t.outcome), project(backend));
      for (let i = 0; i < pages.length && !divergence; i++) divergence = diffPeek(i, peekOf(t.ctx, i), pages[i]);
      if (!divergence) return { events, at };
      first ??= { events, at, divergence };
    }
  }
  if (first) return first;
  return { events: [...command], at: command.length ? 0 : -1, errors };
}
