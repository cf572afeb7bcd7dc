// The buffer machine stepped with xstate's pure transition function: for each command, what it
// returned, the calls it predicts, the edges it took (stable and transient) and their rules.
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import type { Outcome } from '../../spec/device.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import { bufferMachine, type BufferContext, type BufferEvent, type BufferMachineInput, type StableState } from '../../machines/buffer/index.ts';

export type BufferSnapshot = SnapshotFrom<typeof bufferMachine>;

export interface BufferStep {
  outcome: Outcome;
  calls: string[];
  edges: string[];
  rules: RuleId[];
  from: StableState;
  to: StableState;
  context: BufferContext;
}

export class BufferModel {
  snapshot: BufferSnapshot;
  /** The edge the probe took at the start (PROBE:always#k), and its rules. */
  readonly probe: { edges: string[]; rules: RuleId[] };

  constructor(input: BufferMachineInput) {
    [this.snapshot] = initialTransition(bufferMachine, input);
    const steps = this.snapshot.context.steps;
    this.probe = { edges: steps.map((s) => s.id), rules: [...new Set(steps.flatMap((s) => s.rules))] };
  }

  get state(): StableState {
    return this.snapshot.value as StableState;
  }

  step(event: BufferEvent): BufferStep {
    const from = this.state;
    const [next] = transition(bufferMachine, this.snapshot, event);
    if (next.status === 'error') throw new Error(`buffer machine: ${String((next as { error?: unknown }).error)}`);
    const c = next.context;
    if (c.steps.length === 0) throw new Error(`buffer machine: no edge for ${event.type} in ${from}`);
    this.snapshot = next;
    const rules = new Set<RuleId>();
    for (const s of c.steps) for (const r of s.rules) rules.add(r);
    return { outcome: c.last, calls: c.calls, edges: c.steps.map((s) => s.id), rules: [...rules], from, to: this.state, context: c };
  }
}

/** Every edge of the machine, by id: the coverage universe. */
export function bufferEdgeIds(): string[] {
  const ids: string[] = [];
  for (const [name, node] of Object.entries(bufferMachine.root.states)) {
    for (const [event, defs] of node.transitions as Map<string, unknown[]>) {
      defs.forEach((_d, k) => ids.push(`${name}:${event === '' ? 'always' : event}#${k}`));
    }
    const always = (node as unknown as { always?: unknown[] }).always;
    always?.forEach((_d, k) => ids.push(`${name}:always#${k}`));
  }
  return [...new Set(ids)].sort();
}

/** Every edge of the machine with the rules its meta names (ids as bufferEdgeIds has them). */
export function bufferEdgeRules(): Map<string, RuleId[]> {
  type Def = { meta?: { rules?: RuleId[] } };
  const out = new Map<string, RuleId[]>();
  for (const [name, node] of Object.entries(bufferMachine.root.states)) {
    for (const [event, defs] of node.transitions as Map<string, Def[]>) {
      defs.forEach((d, k) => out.set(`${name}:${event === '' ? 'always' : event}#${k}`, [...(d.meta?.rules ?? [])]));
    }
    (node as unknown as { always?: Def[] }).always?.forEach((d, k) => out.set(`${name}:always#${k}`, [...(d.meta?.rules ?? [])]));
  }
  return out;
}
