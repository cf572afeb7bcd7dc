// Drives the PCM machine one command at a time and reports what it decided: the outcome, the
// rules, the edge each stream took and the transitions it made.
import { createActor, type Actor } from 'xstate';
import type { Command, DeviceInfo, Outcome } from '../spec/device.ts';
import type { RuleId } from '../spec/rules.generated.ts';
import type { PcmContext, PcmInput, RegionState } from '../machines/pcm/context.ts';
import { decide } from '../machines/pcm/decide.ts';
import { ModelError } from '../machines/pcm/kernel.ts';
import { createPcmMachine, regionsOf, type PcmMachine } from '../machines/pcm/machine.ts';
import { eventLabel } from './codec.ts';

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

export class Model {
  private actor: Actor<PcmMachine>;
  constructor(readonly input: PcmInput & { files: 1 | 2 }) {
    this.actor = createActor(machineFor(input.files), { input }).start();
  }

  get context(): PcmContext {
    return this.actor.getSnapshot().context;
  }

  get regions(): RegionState[] {
    return regionsOf(this.actor.getSnapshot());
  }

  send(cmd: Command): ModelStep {
    const before = this.actor.getSnapshot();
    const fromRegions = regionsOf(before);
    const d = decide(before.context, cmd); // what the machine's guards will also find
    this.actor.send(cmd);
    const after = this.actor.getSnapshot();
    if (after.status === 'error') throw after.error instanceof Error ? after.error : new ModelError(String(after.error));
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
