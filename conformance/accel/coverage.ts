// Coverage of the accel machines by the steps the suite ran: visits per state, uses per transition
// label and per edge, and each accel rule's verdict.
import { RULE_IDS, type RuleId } from '../../spec/rules.generated.ts';
import { taskMachine, accelMachine } from '../../machines/accel/index.ts';
import { STREAM_EDGES, TASK_EDGES, allTransitionLabels, taskStepLabel } from './model.ts';
import type { AccelRunner, StepRecord } from './runner.ts';

export type RuleVerdict = 'PASS' | 'FAIL' | 'UNCOVERED' | 'UNSUPPORTED';

export interface AccelCoverage {
  /** Visits per state: stream states by name, task states as `task.NAME`. */
  states: Record<string, number>;
  /** Uses per "FROM --EVENT--> TO" label; every label of both machines is listed, 0 when unused. */
  transitions: Record<string, number>;
  /** Uses per edge (`STATE:EVENT#i`, `task.STATE:EVENT#i`), finer than labels. */
  edges: Record<string, number>;
  rules: Record<string, RuleVerdict>;
}

export const ACCEL_RULE_IDS: RuleId[] = RULE_IDS.filter((r) => r.startsWith('accel.'));

export class CoverageCounter {
  private readonly states: Record<string, number> = {};
  private readonly transitions: Record<string, number> = {};
  private readonly edges: Record<string, number> = {};
  private readonly passed = new Set<RuleId>();
  private readonly failed = new Set<RuleId>();

  constructor() {
    for (const s of Object.keys(accelMachine.root.states)) this.states[s] = 0;
    for (const s of Object.keys(taskMachine.root.states)) this.states[`task.${s}`] = 0;
    for (const l of allTransitionLabels()) this.transitions[l] = 0;
    for (const e of [...STREAM_EDGES.values(), ...TASK_EDGES.values()]) this.edges[e.key] = 0;
  }

  private count(step: StepRecord): void {
    const m = step.model;
    this.states[m.state] = (this.states[m.state] ?? 0) + 1;
    this.transitions[m.label] = (this.transitions[m.label] ?? 0) + 1;
    this.edges[m.edge.key] = (this.edges[m.edge.key] ?? 0) + 1;
    for (const s of m.taskSteps) {
      const state = `task.${s.to}`;
      this.states[state] = (this.states[state] ?? 0) + 1;
      const label = taskStepLabel(s);
      this.transitions[label] = (this.transitions[label] ?? 0) + 1;
      for (const e of TASK_EDGES.values()) {
        if (s.from !== null && e.from === `task.${s.from}` && e.event === s.event) this.edges[e.key] = (this.edges[e.key] ?? 0) + 1;
      }
    }
  }

  /** Counts a runner's steps: agreeing steps pass their rules, a failing step fails its own. */
  add(runner: AccelRunner): void {
    for (const s of runner.log) {
      this.count(s);
      for (const r of s.model.rules) this.passed.add(r);
    }
    if (runner.failure) {
      this.count(runner.failure);
      for (const r of runner.failure.model.rules) this.failed.add(r);
    }
  }

  result(): AccelCoverage {
    const rules: Record<string, RuleVerdict> = {};
    for (const r of ACCEL_RULE_IDS) rules[r] = this.failed.has(r) ? 'FAIL' : this.passed.has(r) ? 'PASS' : 'UNCOVERED';
    return { states: { ...this.states }, transitions: { ...this.transitions }, edges: { ...this.edges }, rules };
  }

  static unsupported(): AccelCoverage {
    const c = new CoverageCounter().result();
    for (const r of ACCEL_RULE_IDS) c.rules[r] = 'UNSUPPORTED';
    return c;
  }
}
