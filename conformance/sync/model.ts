// The sync machine stepped with xstate's pure transition function, and its edges' catalogue.
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import type { RuleId } from '../../spec/rules.generated.ts';
import { syncMachine, type SyncContext, type SyncEvent, type SyncMachineInput } from '../../machines/sync/index.ts';

export type SyncSnapshot = SnapshotFrom<typeof syncMachine>;
export type SyncState = 'COHERENT' | 'IN_SYNC' | 'CPU_AHEAD' | 'DEVICE_AHEAD';

export interface SyncStep {
  edges: string[];
  rules: RuleId[];
  from: SyncState;
  to: SyncState;
  context: SyncContext;
}

export class SyncModel {
  snapshot: SyncSnapshot;
  readonly start: { edges: string[]; rules: RuleId[] };

  constructor(input: SyncMachineInput) {
    [this.snapshot] = initialTransition(syncMachine, input);
    const steps = this.snapshot.context.steps;
    this.start = { edges: steps.map((s) => s.id), rules: [...new Set(steps.flatMap((s) => s.rules))] };
  }

  get state(): SyncState {
    return this.snapshot.value as SyncState;
  }

  step(event: SyncEvent): SyncStep {
    const from = this.state;
    const [next] = transition(syncMachine, this.snapshot, event);
    if (next.status === 'error') throw new Error(`sync machine: ${String((next as { error?: unknown }).error)}`);
    if (next.context.steps.length === 0) throw new Error(`sync machine: no edge for ${event.type} in ${from}`);
    this.snapshot = next;
    const c = next.context;
    return { edges: c.steps.map((s) => s.id), rules: [...new Set(c.steps.flatMap((s) => s.rules))], from, to: this.state, context: c };
  }
}

/** Every edge of the sync machine, by id. */
export function syncEdgeIds(): string[] {
  const ids = new Set<string>();
  for (const [name, node] of Object.entries(syncMachine.root.states)) {
    for (const [event, defs] of node.transitions as Map<string, unknown[]>) defs.forEach((_d, k) => ids.add(`${name}:${event === '' ? 'always' : event}#${k}`));
    ((node as unknown as { always?: unknown[] }).always ?? []).forEach((_d, k) => ids.add(`${name}:always#${k}`));
  }
  return [...ids].sort();
}
