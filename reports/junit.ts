// JUnit XML for CI systems: one <testsuite> per run, one <testcase> per test. FAIL is a
// <failure>, ERROR an <error>, UNSUPPORTED <skipped>; the reason, replay line and trace go in the
// element's text.
import type { Run } from './runs.ts';
import { stepFailed, type TestResult, type TraceStep } from './results.ts';

/** Text safe in XML content and attribute values: escaped, and without the control characters
 * XML 1.0 forbids. */
export function xml(s: string): string {
  return s
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));

/** A command as a person reads it: `START fd=0` for `{ type: 'START', fd: 0 }`, else JSON. */
export function commandText(c: unknown): string {
  if (typeof c === 'string') return c;
  if (typeof c === 'object' && c !== null && !Array.isArray(c) && typeof (c as { type?: unknown }).type === 'string') {
    const { type, ...rest } = c as Record<string, unknown>;
    const args = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : json(v)}`);
    return [type as string, ...args].join(' ');
  }
  return json(c);
}

/** A trace step on one line: `3. START fd=0 [PREPARED → RUNNING] expected … actual … ✗`. */
export function stepLine(s: TraceStep, i: number): string {
  const cmd = s.command === undefined ? (s.event ?? '') : commandText(s.command);
  const moves = s.transitions?.length ? ` [${s.transitions.join('; ')}]` : s.from !== undefined || s.to !== undefined ? ` [${s.from ?? '?'} → ${s.to ?? '?'}]` : '';
  const expected = s.expected ?? s.model;
  const actual = s.actual ?? s.backend;
  const show = (v: unknown) => (typeof v === 'string' ? v : json(v));
  const exp = expected !== undefined ? ` expected ${show(expected)}` : '';
  const act = actual !== undefined ? ` actual ${show(actual)}` : '';
  const mark = stepFailed(s) ? ` ✗${s.divergence ? ` ${s.divergence}` : ''}` : '';
  return `${s.step ?? i + 1}. ${cmd}${moves}${exp}${act}${mark}`;
}

function details(t: TestResult): string {
  const lines: string[] = [];
  if (t.reason) lines.push(t.reason);
  if (t.rules.length) lines.push(`rules: ${t.rules.join(', ')}`);
  if (t.replay) lines.push(`replay: ${t.replay}`);
  if (t.trace?.length) lines.push('trace:', ...t.trace.map(stepLine));
  return lines.join('\n');
}

export function toJUnit(runs: readonly Run[]): string {
  const all = runs.flatMap((r) => r.results.tests);
  const count = (ts: readonly TestResult[], s: string) => ts.filter((t) => t.status === s).length;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="alsa-spec" tests="${all.length}" failures="${count(all, 'FAIL')}" errors="${count(all, 'ERROR')}" skipped="${count(all, 'UNSUPPORTED')}">`,
  ];
  for (const run of runs) {
    const r = run.results;
    const time = typeof r.durationMs === 'number' ? ` time="${(r.durationMs / 1000).toFixed(3)}"` : '';
    const stamp = typeof r.startedAt === 'string' ? ` timestamp="${xml(r.startedAt)}"` : '';
    out.push(
      `  <testsuite name="${xml(run.label)}" tests="${r.tests.length}" failures="${count(r.tests, 'FAIL')}" errors="${count(r.tests, 'ERROR')}" skipped="${count(r.tests, 'UNSUPPORTED')}"${time}${stamp}>`,
    );
    out.push('    <properties>');
    const props: Array<[string, string]> = [
      ['backend', r.backend],
      ['kernel', r.kernel ?? ''],
      ['device', typeof r.device === 'string' ? r.device : JSON.stringify(r.device)],
    ];
    if (r.machine) props.push(['machine', r.machine]);
    if (r.seed !== undefined) props.push(['seed', String(r.seed)]);
    for (const [k, v] of props) out.push(`      <property name="${xml(k)}" value="${xml(v)}"/>`);
    out.push('    </properties>');
    for (const t of r.tests) {
      const head = `    <testcase classname="${xml(`alsa-spec.${run.label}`)}" name="${xml(`${t.id}: ${t.title}`)}"`;
      const body = details(t);
      const message = xml(t.reason ?? t.status);
      if (t.status === 'PASS') out.push(`${head}/>`);
      else if (t.status === 'FAIL') out.push(`${head}>`, `      <failure message="${message}" type="FAIL">${xml(body)}</failure>`, '    </testcase>');
      else if (t.status === 'ERROR') out.push(`${head}>`, `      <error message="${message}" type="ERROR">${xml(body)}</error>`, '    </testcase>');
      else out.push(`${head}>`, `      <skipped message="${message}"/>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
