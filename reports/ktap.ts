// KTAP (the kernel's Test Anything Protocol, version 1; also valid TAP): one subtest per run with
// a result line per test. FAIL and ERROR are `not ok` (ERROR with the ERROR directive),
// UNSUPPORTED is `ok … # SKIP reason`. Diagnostics (reason, replay, trace) come before the result
// line they explain, as KTAP asks.
import { stepLine } from './junit.ts';
import type { Run } from './runs.ts';

/** A description or directive text: one line, without '#', which starts a directive. */
function clean(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/#/g, 'No.').trim();
}

function diag(indent: string, s: string): string[] {
  return s.split('\n').map((l) => `${indent}# ${l}`.trimEnd());
}

export function toKtap(runs: readonly Run[]): string {
  const out = ['KTAP version 1', `1..${runs.length}`];
  runs.forEach((run, i) => {
    const r = run.results;
    const ind = '    ';
    out.push(`${ind}KTAP version 1`, `${ind}# Subtest: ${clean(run.label)}`);
    out.push(...diag(ind, `backend: ${r.backend}; kernel: ${r.kernel ?? 'none'}${r.seed !== undefined ? `; seed: ${r.seed}` : ''}`));
    out.push(`${ind}1..${r.tests.length}`);
    let failed = false;
    r.tests.forEach((t, j) => {
      const n = j + 1;
      const name = clean(t.id);
      if (t.status === 'PASS') {
        out.push(`${ind}ok ${n} - ${name}`);
        return;
      }
      if (t.status === 'UNSUPPORTED') {
        out.push(`${ind}ok ${n} - ${name} # SKIP ${clean(t.reason ?? 'unsupported by this backend')}`);
        return;
      }
      failed = true;
      out.push(...diag(ind, t.title));
      if (t.reason) out.push(...diag(ind, `reason: ${t.reason}`));
      if (t.replay) out.push(...diag(ind, `replay: ${t.replay}`));
      for (const [k, s] of (t.trace ?? []).entries()) out.push(...diag(ind, stepLine(s, k)));
      out.push(`${ind}not ok ${n} - ${name}${t.status === 'ERROR' ? ` # ERROR ${clean(t.reason ?? '')}`.trimEnd() : ''}`);
    });
    out.push(`${failed ? 'not ok' : 'ok'} ${i + 1} - ${clean(run.label)}`);
  });
  return `${out.join('\n')}\n`;
}
