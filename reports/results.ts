// The results.json a conformance run writes and every report reads: the single definition of its
// shape (the runner imports these types) and the validator that rejects malformed input with a
// message that says where and what.
import { readFileSync } from 'node:fs';

export const TEST_STATUSES = ['PASS', 'FAIL', 'UNSUPPORTED', 'ERROR'] as const;
export type TestStatus = (typeof TEST_STATUSES)[number];

export const RULE_STATUSES = ['PASS', 'FAIL', 'UNCOVERED', 'UNSUPPORTED'] as const;
export type RuleStatus = (typeof RULE_STATUSES)[number];

/**
 * One step of a test's trace. The runner decides what a step holds; the report shows the fields
 * below when present and any others as JSON. Two spellings are understood: `expected` / `actual`
 * / `ok`, and the runner's `model` / `backend` / `divergence`.
 */
export interface TraceStep {
  /** Position in the sequence, from 1 (the index is used when absent). */
  step?: number;
  /** The command or event sent, e.g. `{ type: 'START', fd: 0 }` or 'START fd=0'. */
  command?: unknown;
  /** The machine event type, when it differs from the command's name. */
  event?: string;
  /** Kernel state names before and after the step. */
  from?: string;
  to?: string;
  /** The transitions the step took, as coverage keys (`PREPARED --START--> RUNNING`). */
  transitions?: string[];
  /** What the model predicted and what the backend answered. */
  expected?: unknown;
  actual?: unknown;
  model?: unknown;
  backend?: unknown;
  /** false on the step where the backend and the model disagree. */
  ok?: boolean;
  /** How they disagree, on that step (implies ok: false). */
  divergence?: string;
  rules?: string[];
  note?: string;
  [extra: string]: unknown;
}

/** Whether a step is the one where the backend and the model disagreed. */
export const stepFailed = (s: TraceStep) => s.ok === false || (typeof s.divergence === 'string' && s.divergence !== '');

export interface TestResult {
  id: string;
  /** A sentence saying what passing means. */
  title: string;
  rules: string[];
  status: TestStatus;
  /** One line that replays this test (seed, path, backend). */
  replay?: string;
  trace?: TraceStep[];
  /** Why it failed, errored or is unsupported. */
  reason?: string;
  [extra: string]: unknown;
}

/** Visit counts keyed by kernel state name, and by `FROM --EVENT--> TO` (see `transitionKey`). */
export interface MachineCoverage {
  states: Record<string, number>;
  transitions: Record<string, number>;
  [extra: string]: unknown;
}

export interface Coverage extends MachineCoverage {
  rules: Record<string, RuleStatus>;
  /** Optional per-machine sections, keyed by machine id; they take precedence over the top-level
   * counts for that machine. */
  machines?: Record<string, MachineCoverage>;
}

export interface Results {
  /** Which implementation ran: 'ring', 'kernel', 'jsonl:…'. */
  backend: string;
  /** Kernel release for kernel backends ('7.2.12', '6.1.176'), else null. */
  kernel: string | null;
  device: string | Record<string, unknown>;
  tests: TestResult[];
  coverage: Coverage;
  /** The machine the top-level coverage counts belong to, when there is one. */
  machine?: string;
  startedAt?: string;
  durationMs?: number;
  seed?: number | string;
  [extra: string]: unknown;
}

const TRANSITION_KEY = /^(\S(?:.*\S)?) --(\S(?:.*\S)?)--> (\S(?:.*\S)?)$/;

/** The coverage key of one transition: `PREPARED --START--> RUNNING`. */
export function transitionKey(from: string, event: string, to: string): string {
  return `${from} --${event}--> ${to}`;
}

export function parseTransitionKey(key: string): { from: string; event: string; to: string } | null {
  const m = TRANSITION_KEY.exec(key);
  return m ? { from: m[1]!, event: m[2]!, to: m[3]! } : null;
}

/** Input that is not a results file we can read; the CLI prints the message and exits 2. */
export class ResultsError extends Error {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    const shown = problems.slice(0, 12);
    const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
    super(
      `${source} is not a valid results file:\n` +
        shown.map((p) => `  - ${p}`).join('\n') +
        more +
        '\n(the schema is `Results` in reports/results.ts; `alsa-spec check` writes such files)',
    );
    this.name = 'ResultsError';
    this.problems = problems;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => {
  if (v === undefined) return 'missing';
  const s = JSON.stringify(v);
  const t = s === undefined ? String(v) : s;
  return t.length > 60 ? `${t.slice(0, 57)}…` : t;
};
const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

function counts(p: string[], path: string, v: unknown, keyCheck?: (k: string) => string | null): void {
  if (!isObject(v)) {
    p.push(`${path} must be an object of counts, got ${kind(v)}`);
    return;
  }
  for (const [k, n] of Object.entries(v)) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) p.push(`${path}[${JSON.stringify(k)}] must be a count (an integer ≥ 0), got ${show(n)}`);
    const bad = keyCheck?.(k);
    if (bad) p.push(`${path}: ${bad}`);
  }
}

const transitionKeyCheck = (k: string) =>
  parseTransitionKey(k) ? null : `key ${JSON.stringify(k)} is not "FROM --EVENT--> TO" (e.g. "PREPARED --START--> RUNNING")`;

function machineCoverage(p: string[], path: string, v: unknown): void {
  if (!isObject(v)) {
    p.push(`${path} must be an object with states and transitions, got ${kind(v)}`);
    return;
  }
  counts(p, `${path}.states`, v.states);
  counts(p, `${path}.transitions`, v.transitions, transitionKeyCheck);
}

/** Checks a parsed results.json; returns it typed or throws a ResultsError listing every problem. */
export function validateResults(value: unknown, source = 'results'): Results {
  const p: string[] = [];
  if (!isObject(value)) throw new ResultsError(source, [`the top level must be an object, got ${kind(value)}`]);
  if (typeof value.backend !== 'string' || value.backend === '') p.push(`backend must be a non-empty string (e.g. "ring"), got ${show(value.backend)}`);
  if (value.kernel !== null && typeof value.kernel !== 'string') p.push(`kernel must be a string (e.g. "7.2.12") or null, got ${show(value.kernel)}`);
  if (typeof value.device !== 'string' && !isObject(value.device)) p.push(`device must be a string or an object, got ${show(value.device)}`);
  if (value.machine !== undefined && typeof value.machine !== 'string') p.push(`machine must be a string when present, got ${show(value.machine)}`);
  if (!Array.isArray(value.tests)) {
    p.push(`tests must be an array, got ${show(value.tests)}`);
  } else {
    const seen = new Map<string, number>();
    value.tests.forEach((t, i) => {
      const at = `tests[${i}]`;
      if (!isObject(t)) {
        p.push(`${at} must be an object, got ${kind(t)}`);
        return;
      }
      const id = typeof t.id === 'string' && t.id !== '' ? t.id : null;
      const name = id ? `${at} (${id})` : at;
      if (!id) p.push(`${at}.id must be a non-empty string, got ${show(t.id)}`);
      else if (seen.has(id)) p.push(`${at}.id ${JSON.stringify(id)} repeats tests[${seen.get(id)}].id; test ids must be unique`);
      else seen.set(id, i);
      if (typeof t.title !== 'string') p.push(`${name}.title must be a string, got ${show(t.title)}`);
      if (!Array.isArray(t.rules) || !t.rules.every((r) => typeof r === 'string')) p.push(`${name}.rules must be an array of rule ids, got ${show(t.rules)}`);
      if (!(TEST_STATUSES as readonly unknown[]).includes(t.status)) p.push(`${name}.status is ${show(t.status)}; expected one of ${TEST_STATUSES.join(', ')}`);
      if (t.replay !== undefined && typeof t.replay !== 'string') p.push(`${name}.replay must be a string (one command line), got ${show(t.replay)}`);
      if (t.reason !== undefined && typeof t.reason !== 'string') p.push(`${name}.reason must be a string, got ${show(t.reason)}`);
      if (t.trace !== undefined) {
        if (!Array.isArray(t.trace)) p.push(`${name}.trace must be an array of steps, got ${kind(t.trace)}`);
        else t.trace.forEach((s, j) => {
          if (!isObject(s)) p.push(`${name}.trace[${j}] must be an object, got ${kind(s)}`);
        });
      }
    });
  }
  const c = value.coverage;
  if (!isObject(c)) {
    p.push(`coverage must be an object with states, transitions and rules, got ${show(c)}`);
  } else {
    counts(p, 'coverage.states', c.states);
    counts(p, 'coverage.transitions', c.transitions, transitionKeyCheck);
    if (!isObject(c.rules)) p.push(`coverage.rules must be an object of rule statuses, got ${show(c.rules)}`);
    else for (const [id, s] of Object.entries(c.rules)) {
      if (!(RULE_STATUSES as readonly unknown[]).includes(s)) p.push(`coverage.rules[${JSON.stringify(id)}] is ${show(s)}; expected one of ${RULE_STATUSES.join(', ')}`);
    }
    if (c.machines !== undefined) {
      if (!isObject(c.machines)) p.push(`coverage.machines must be an object keyed by machine id, got ${kind(c.machines)}`);
      else for (const [m, mc] of Object.entries(c.machines)) machineCoverage(p, `coverage.machines[${JSON.stringify(m)}]`, mc);
    }
  }
  if (p.length) throw new ResultsError(source, p);
  return value as Results;
}

/** Parses and validates the text of a results file. */
export function parseResults(text: string, source = 'results'): Results {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ResultsError(source, [`it is not JSON: ${(e as Error).message}`]);
  }
  return validateResults(value, source);
}

/** Reads, parses and validates a results file. */
export function readResults(path: string): Results {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ResultsError(path, [err.code === 'ENOENT' ? 'no such file' : `cannot be read: ${err.message}`]);
  }
  return parseResults(text, path);
}
