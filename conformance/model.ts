// Drives the PCM machine one command at a time and reports what it decided: the outcome, the
// rules, the edge each stream took and the transitions it made.
import { initialTransition, type AnyStateMachine } from 'xstate';
import type { Command, DeviceInfo, Outcome } from '../spec/device.ts';
import type { RuleId } from '../spec/rules.generated.ts';
import type { PcmContext, PcmInput, RegionState } from '../machines/pcm/context.ts';
import { decide } from '../machines/pcm/decide.ts';
import { ModelError } from '../machines/pcm/kernel.ts';
import { createPcmMachine, regionsOf, type PcmMachine } from '../machines/pcm/machine.ts';
import { eventLabel } from './codec.ts';
import { pureStep } from './traverse.ts';

export interface ModelStep {
  outcome: Outcome;
  rules: RuleId[];
  /** Edge ids taken (`op:state:index:outcome`), one per stream whose region chose an edge. */
  edges: string[];
  /** "FROM --EVENT--> TO" for each stream the command concerned or moved. */
  transitions: string[];
  regions: RegionState[];
}

/** The model's input for a backend's device: its capabilities, kernel rules and memory. */
export const modelInput = (info: DeviceInfo, files: 1 | 2): PcmInput & { files: 1 | 2 } => ({
  caps: info.streams,
  kernel: info.follows,
  files,
  ...(info.memory ? { memory: info.memory } : {}),
});

const machines = new Map<1 | 2, PcmMachine>();
export const machineFor = (files: 1 | 2): PcmMachine => {
  let m = machines.get(files);
  if (!m) machines.set(files, (m = createPcmMachine(files)));
  return m;
};

type Snap = { context: PcmContext; value: unknown; status: string; error?: unknown };

/** machine.transition() with one inert actor scope per machine (the input only seeds the initial
 * context, which initialTransition makes per model). */
const steps = new Map<1 | 2, (s: Snap, e: Command) => Snap>();
const stepFor = (files: 1 | 2) => {
  let f = steps.get(files);
  if (!f) steps.set(files, (f = pureStep<Snap, Command>(machineFor(files) as unknown as AnyStateMachine, { caps: {}, files })));
  return f;
};

/** The initial snapshot per input (snapshots are immutable; making one cost a sixth of a short
 * path), by the capabilities' identity and then the rest of the input (files, kernel, memory). */
const initials = new WeakMap<object, Map<string, Snap>>();
function initialFor(input: PcmInput & { files: 1 | 2 }): Snap {
  let byRest = initials.get(input.caps);
  if (!byRest) initials.set(input.caps, (byRest = new Map()));
  const rest = `${input.files}|${input.kernel ?? ''}|${input.memory ? JSON.stringify(input.memory) : ''}`;
  let snap = byRest.get(rest);
  if (!snap) {
    const machine = machineFor(input.files) as unknown as AnyStateMachine;
    byRest.set(rest, (snap = (initialTransition(machine, input) as unknown as [Snap])[0]));
  }
  return snap;
}

/**
 * The XState machine taking one command at a time through its own transition function
 * (machine.transition), as an actor would, without an actor's mailbox and subscriptions: starting
 * an actor per path and sending through it cost a sixth of a conformance step. A command the
 * machine has no edge for throws the ModelError its `gap` action raises.
 */
export class Model {
  private snap: Snap;
  private readonly step: (s: Snap, e: Command) => Snap;
  constructor(readonly input: PcmInput & { files: 1 | 2 }) {
    this.snap = initialFor(input);
    this.step = stepFor(input.files);
  }

  get context(): PcmContext {
    return this.snap.context;
  }

  get regions(): RegionState[] {
    return regionsOf(this.snap);
  }

  send(cmd: Command): ModelStep {
    const before = this.snap;
    const fromRegions = regionsOf(before);
    const d = decide(before.context, cmd); // what the machine's guards will also find
    const after = this.step(before, cmd);
    if (after.status === 'error') throw after.error instanceof Error ? after.error : new ModelError(String(after.error));
    this.snap = after;
    const regions = regionsOf(after);
    regions.forEach((r, j) => {
      if (r !== after.context.streams[j]!.state) {
        throw new ModelError(`stream ${j}: the machine is in ${r} but its effect left ${after.context.streams[j]!.state}`);
      }
    });
    const label = eventLabel(cmd);
    const edges: string[] = [];
    const transitions: string[] = [];
    d.chosen.forEach((c, j) => {
      if (c) edges.push(c.id);
      if (c || fromRegions[j] !== regions[j]) transitions.push(`${fromRegions[j]} --${label}--> ${regions[j]}`);
    });
    return { outcome: after.context.last, rules: after.context.lastRules, edges, transitions, regions };
  }
}
