// Runs one command sequence on the model and on a backend session side by side, comparing the
// outcome of every step and then what each file's status and control pages show.
import type { Command, Outcome, PcmDevice, PeekValue } from '../spec/device.ts';
import type { RuleId } from '../spec/rules.generated.ts';
import { decide } from '../machines/pcm/decide.ts';
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

function modelPeek(model: Model, fd: number): PeekValue | null | undefined {
  const { next } = decide(model.context, { type: 'PEEK', fd });
  return next.last.ok ? next.last.peek : undefined;
}

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
    const rec: StepRecord = { step: k, command: stringify(cmd), model: stringify(m.outcome), backend: stringify(b), transitions: m.transitions };
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
    for (const r of m.rules) {
      result.rules.add(r);
      (divergence ? result.failedRules : result.passedRules).add(r);
    }
    result.edges.push(...m.edges);
    result.transitions.push(...m.transitions);
    result.states.push(...m.regions);
    if (divergence) {
      rec.divergence = divergence;
      return { ...result, status: 'FAIL', message: `step ${k} ${cmd.type}: ${divergence}` };
    }
  }
  return result;
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
