// The model side of the comparison: the accel machine stepped with xstate's pure transition
// function, reporting for each event the edge it took (with its rules and errno) and the task
// edges. Also the catalogue of every edge, for coverage.
import { initialTransition, transition, type AnyTransitionDefinition, type SnapshotFrom } from 'xstate';
import type { Errno } from '../../spec/abi/errno.ts';
import type { AccelEvent, AccelOutcome } from '../../spec/accel-device.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import { accelMachine, taskMachine, type AccelContext, type AccelMachineInput, type EdgeMeta, type TaskStep } from '../../machines/accel/index.ts';

export type StreamState = 'CLOSED' | 'OPEN' | 'SETUP';
export type AccelSnapshot = SnapshotFrom<typeof accelMachine>;

export interface EdgeInfo {
  /** Unique: `STATE:EVENT#i`, i the edge's place among that state's edges for the event. */
  key: string;
  from: string;
  event: string;
  /** The target state, or null for a self-transition. */
  to: string | null;
  rules: readonly RuleId[];
  errno?: Errno;
}

/** "FROM --EVENT--> TO", the label coverage counts. */
export const transitionLabel = (from: string, event: string, to: string) => `${from} --${event}--> ${to}`;

function catalogue(machine: typeof accelMachine | typeof taskMachine, prefix: string) {
  const byDef = new Map<AnyTransitionDefinition, EdgeInfo>();
  for (const [name, node] of Object.entries(machine.root.states)) {
    for (const [event, defs] of node.transitions as Map<string, AnyTransitionDefinition[]>) {
      defs.forEach((d, i) => {
        const meta = d.meta as EdgeMeta | undefined;
        const info: EdgeInfo = {
          key: `${prefix}${name}:${event}#${i}`,
          from: `${prefix}${name}`,
          event,
          to: d.target?.[0] ? `${prefix}${d.target[0].key}` : null,
          rules: meta?.rules ?? [],
        };
        if (meta?.errno) info.errno = meta.errno;
        byDef.set(d, info);
      });
    }
  }
  return byDef;
}

/** Every edge of the stream machine, by its transition definition. */
export const STREAM_EDGES = catalogue(accelMachine, '');
/** Every edge of the task machine (states prefixed `task.`). */
export const TASK_EDGES = catalogue(taskMachine, 'task.');

/** The labels of every edge: stream edges, task edges, and task creation. */
export function allTransitionLabels(): string[] {
  const labels = new Set<string>();
  for (const e of [...STREAM_EDGES.values(), ...TASK_EDGES.values()]) {
    labels.add(transitionLabel(e.from, e.event === '*' ? '*' : e.event, e.to ?? e.from));
  }
  labels.add(transitionLabel('task.(new)', 'TASK_CREATE', 'task.IDLE'));
  return [...labels].sort();
}

/** The label of a task step. */
export function taskStepLabel(s: TaskStep): string {
  return transitionLabel(s.from === null ? 'task.(new)' : `task.${s.from}`, s.event, `task.${s.to}`);
}

/** The task-machine edge a step took (creation has none). */
export function taskEdgeOf(s: TaskStep): EdgeInfo | undefined {
  if (s.from === null) return undefined;
  for (const e of TASK_EDGES.values()) if (e.from === `task.${s.from}` && e.event === s.event) return e;
  return undefined;
}

export interface ModelStep {
  outcome: AccelOutcome;
  edge: EdgeInfo;
  /** "FROM --EVENT--> TO" with the edge's event descriptor (`*` for a wildcard edge). */
  label: string;
  taskSteps: TaskStep[];
  state: StreamState;
  context: AccelContext;
  /** Every rule the step exercised: its edge's and its task steps'. */
  rules: RuleId[];
}

export class AccelModel {
  snapshot: AccelSnapshot;

  constructor(input: AccelMachineInput) {
    [this.snapshot] = initialTransition(accelMachine, input);
  }

  get state(): StreamState {
    return this.snapshot.value as StreamState;
  }

  get context(): AccelContext {
    return this.snapshot.context;
  }

  /** What the model does with `event`; the model's state moves on. */
  step(event: AccelEvent): ModelStep {
    const from = this.state;
    const defs = accelMachine.getTransitionData(this.snapshot, event);
    const def = defs[0];
    if (!def) throw new Error(`accel model: no edge for ${event.type} in ${from}`);
    const edge = STREAM_EDGES.get(def);
    if (!edge) throw new Error(`accel model: edge for ${event.type} in ${from} is not catalogued`);
    [this.snapshot] = transition(accelMachine, this.snapshot, event);
    const ctx = this.snapshot.context;
    if (ctx.last === null) throw new Error(`accel model: ${event.type} recorded no outcome`);
    const rules = new Set<RuleId>(edge.rules);
    for (const s of ctx.steps) for (const r of s.rules) rules.add(r);
    return {
      outcome: ctx.last,
      edge,
      label: transitionLabel(from, edge.event, this.state),
      taskSteps: ctx.steps,
      state: this.state,
      context: ctx,
      rules: [...rules],
    };
  }
}
