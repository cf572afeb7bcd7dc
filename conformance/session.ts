// Runs one command sequence on the model and on a backend session side by side, comparing the
// outcome of every step and then what each file's status and control pages show.
import type { Command, Outcome, PcmDevice, PeekValue } from '../spec/device.ts';
import type { RuleId } from '../spec/rules.generated.ts';
import type { PcmContext } from '../machines/pcm/context.ts';
import { OPS } from '../machines/pcm/ops/index.ts';
import { stringify } from './codec.ts';
import { diffOutcome, diffPeek } from './compare.ts';
import type { Model, ModelStep } from './model.ts';
import { explain } from './observe.ts';

export interface StepRecord {
  step: number;
  command: string;
  model: string;
  backend: string;
  transitions: string[];
  divergence?: string;
}

export type RunStatus = 'PASS' | 'FAIL' | 'ERROR' | 'UNSUPPORTED';

export interface RunResult {
  status: RunStatus;
  steps: StepRecord[];
  /** Rules of every step taken. */
  rules: Set<RuleId>;
  /** Rules of the steps the backend agreed on, and of the step where it did not. */
  passedRules: Set<RuleId>;
  failedRules: Set<RuleId>;
  edges: string[];
  transitions: string[];
  /** Kernel states the streams were in after each step. */
  states: string[];
  message?: string;
}

const resolve = <T>(v: T | Promise<T>): T | Promise<T> => v;

/** A step's record, its text made when read: most records are never read (only a failure's trace
 * and replay print them), and three JSON texts a step were a fifth of the suite's time. */
class Step implements StepRecord {
  divergence?: string;
  constructor(
    readonly step: number,
    private readonly cmd: Command,
    private readonly m: Outcome,
    private readonly b: Outcome,
    readonly transitions: string[],
  ) {}
  get command(): string {
    return stringify(this.cmd);
  }
  get model(): string {
    return stringify(this.m);
  }
  get backend(): string {
    return stringify(this.b);
  }
  toJSON(): StepRecord {
    const { step, command, model, backend, transitions, divergence } = this;
    return divergence === undefined ? { step, command, model, backend, transitions } : { step, command, model, backend, transitions, divergence };
  }
}

/**
 * What the model's status and control pages show for `fd`: PEEK's effect on the model's context.
 * Every PEEK edge runs that effect (machines/pcm/ops/file.ts) and it only reads the context, so
 * this is decide()'s answer without its copy of the context; test/conformance/peek.test.ts holds
 * the two to each other.
 */
export function modelPeek(model: Model, fd: number): PeekValue | null | undefined {
  const ctx = { ...model.context };
  PEEK_EFFECT(ctx, fd, { type: 'PEEK', fd });
  return ctx.last.ok ? ctx.last.peek : undefined;
}

const PEEK_EFFECT = OPS.PEEK.effect as (ctx: PcmContext, i: number, ev: Command) => void;

/** Runs `commands`; stops at the first divergence. `observe` compares the pages after each step.
 * A backend without a virtual clock is run in real time (runRealTime). */
export async function runSequence(
  model: Model,
  device: PcmDevice,
  commands: readonly Command[],
  observe = true,
): Promise<RunResult> {
  if (!device.info.virtualClock) return runRealTime(model, device, commands);
  const result: RunResult = {
    status: 'PASS', steps: [], rules: new Set(), passedRules: new Set(), failedRules: new Set(), edges: [], transitions: [], states: [],
  };
  const files = model.input.files;
  for (let k = 0; k < commands.length; k++) {
    const cmd = commands[k]!;
    let m;
    try {
      m = model.send(cmd);
    } catch (e) {
      return { ...result, status: 'ERROR', message: `model: ${(e as Error).message}` };
    }
    let b: Outcome;
    try {
      const r = resolve(device.exec(cmd));
      b = r instanceof Promise ? await r : r;
    } catch (e) {
      return { ...result, status: 'ERROR', message: `backend threw on ${cmd.type}: ${(e as Error).message}` };
    }
    const rec = new Step(k, cmd, m.outcome, b, m.transitions);
    result.steps.push(rec);
    if (!b.ok && b.unsupported) {
      for (const r of m.rules) result.failedRules.add(r);
      return { ...result, status: 'UNSUPPORTED', message: `${cmd.type}: ${b.unsupported}` };
    }
    let divergence = diffOutcome(m.outcome, b);
    if (!divergence && observe) {
      for (let fd = 0; fd < files && !divergence; fd++) {
        const r = resolve(device.exec({ type: 'PEEK', fd }));
        const bp = r instanceof Promise ? await r : r;
        divergence = diffPeek(fd, modelPeek(model, fd), bp.ok ? bp.peek : undefined);
      }
    }
    recordStep(result, m.rules, m, divergence);
    if (divergence) {
      rec.divergence = divergence;
      return { ...result, status: 'FAIL', message: `step ${k} ${cmd.type}: ${divergence}` };
    }
  }
  return result;
}

/** Records a compared step on `result`: its rules (among the passed, or the failed when the step
 * diverged) and the model's edges, transitions and stream states. */
export function recordStep(result: RunResult, rules: Iterable<RuleId>, m: Pick<ModelStep, 'edges' | 'transitions' | 'regions'>, divergence: string | null): void {
  for (const r of rules) {
    result.rules.add(r);
    (divergence ? result.failedRules : result.passedRules).add(r);
  }
  result.edges.push(...m.edges);
  result.transitions.push(...m.transitions);
  result.states.push(...m.regions);
}

const exec = async (device: PcmDevice, cmd: Command): Promise<Outcome> => {
  const r = resolve(device.exec(cmd));
  return r instanceof Promise ? await r : r;
};

/**
 * runSequence on a device whose hardware runs on its own (device.advance.observed): each command
 * goes to the backend first; its answer and the pages after it decide which interleaving of the
 * observed device progress the model takes (observe.ts). ADVANCE waits on the device and gives
 * the model only what was observed (and, on a stream that does not run, the ADVANCE itself).
 */
async function runRealTime(model: Model, device: PcmDevice, commands: readonly Command[]): Promise<RunResult> {
  const result: RunResult = {
    status: 'PASS', steps: [], rules: new Set(), passedRules: new Set(), failedRules: new Set(), edges: [], transitions: [], states: [],
  };
  const files = model.input.files;
  for (let k = 0; k < commands.length; k++) {
    const cmd = commands[k]!;
    let b: Outcome;
    const pages: (PeekValue | null | undefined)[] = [];
    try {
      b = await exec(device, cmd);
      if (!(!b.ok && b.unsupported)) {
        for (let fd = 0; fd < files; fd++) {
          const p = await exec(device, { type: 'PEEK', fd });
          pages.push(p.ok ? p.peek : undefined);
        }
      }
    } catch (e) {
      return { ...result, status: 'ERROR', message: `backend threw on ${cmd.type}: ${(e as Error).message}` };
    }
    if (!b.ok && b.unsupported) {
      const rec: StepRecord = { step: k, command: stringify(cmd), model: '', backend: stringify(b), transitions: [] };
      result.steps.push(rec);
      try {
        for (const r of model.send(cmd).rules) result.failedRules.add(r);
      } catch {
        // the model cannot take it either; the step is unsupported all the same
      }
      return { ...result, status: 'UNSUPPORTED', message: `${cmd.type}: ${b.unsupported}` };
    }
    const x = explain({ ctx: model.context, cmd, backend: b, pages });
    const steps: ModelStep[] = [];
    try {
      for (const ev of x.events) steps.push(model.send(ev));
    } catch (e) {
      return { ...result, status: 'ERROR', message: `model: ${(e as Error).message}` };
    }
    if (x.errors) return { ...result, status: 'ERROR', message: `model: ${x.errors[0] ?? 'no interleaving could run'}` };
    const own = x.at >= 0 ? steps[x.at]! : null;
    const rec: StepRecord = {
      step: k,
      command: stringify(cmd),
      model: own ? stringify(own.outcome) : '(the device ran; the model follows what was observed)',
      backend: stringify(b),
      transitions: steps.flatMap((s) => s.transitions),
    };
    result.steps.push(rec);
    for (const st of steps) {
      for (const r of st.rules) {
        result.rules.add(r);
        (x.divergence ? result.failedRules : result.passedRules).add(r);
      }
      result.edges.push(...st.edges);
      result.transitions.push(...st.transitions);
    }
    result.states.push(...model.regions);
    if (x.divergence) {
      rec.divergence = `${x.divergence} (no interleaving of the device's observed progress explains it)`;
      return { ...result, status: 'FAIL', message: `step ${k} ${cmd.type}: ${rec.divergence}` };
    }
  }
  return result;
}
