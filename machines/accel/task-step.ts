// Applies the task machine to one task of the table: the stream machine's actions call this to
// learn a task's next state and the rules of the edge taken.
import { transition } from 'xstate';
import type { TaskState } from '../../spec/abi/compress.ts';
import type { TaskStep } from './context.ts';
import type { TaskEventType } from './events.ts';
import { taskMachine } from './task.machine.ts';

export function stepTask(uid: number, from: TaskState, type: TaskEventType): TaskStep {
  const snapshot = taskMachine.resolveState({ value: from, context: {} });
  const edges = taskMachine.getTransitionData(snapshot, { type });
  if (edges.length === 0) throw new Error(`task machine: no ${type} edge from ${from}`);
  const [next] = transition(taskMachine, snapshot, { type });
  const to = next.value as TaskState | 'FREED';
  return { uid, from, event: type, to, rules: edges.flatMap((e) => e.meta?.rules ?? []) };
}
