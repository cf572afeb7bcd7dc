// The accel rules and the machines agree: the rule index is fresh, every accel rule is carried by
// a machine edge, every edge names only accel rules, refusals record their errno, the machines
// are closed, and each rule cites the 7.2 source (the design-document disagreements included).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseRuleFiles, renderRulesModule } from '../../spec/parse.ts';
import { RULES, type RuleId } from '../../spec/rules.generated.ts';
import { accelMachine, taskMachine } from '../../machines/accel/index.ts';
import { ACCEL_RULE_IDS, STREAM_EDGES, TASK_EDGES } from '../../conformance/accel/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const edges = [...STREAM_EDGES.entries(), ...TASK_EDGES.entries()];

describe('accel rules and machines', () => {
  test('spec/rules.generated.ts is what npm run gen writes', () => {
    assert.equal(readFileSync(`${root}spec/rules.generated.ts`, 'utf8'), renderRulesModule(parseRuleFiles(`${root}spec`)));
  });

  test('there are accel rules, all from spec/accel', () => {
    assert.ok(ACCEL_RULE_IDS.length >= 40);
    for (const r of ACCEL_RULE_IDS) assert.match(RULES[r].file, /^accel\//);
  });

  test('every accel rule is carried by an edge of the stream or the task machine', () => {
    const carried = new Set(edges.flatMap(([, e]) => e.rules));
    assert.deepEqual(ACCEL_RULE_IDS.filter((r) => !carried.has(r)), []);
  });

  test('every edge names at least one rule, and only accel rules', () => {
    for (const [, e] of edges) {
      assert.ok(e.rules.length > 0, `${e.key} carries no rule`);
      for (const r of e.rules) assert.ok(r.startsWith('accel.') && r in RULES, `${e.key}: ${r}`);
    }
  });

  test('a refusal edge records its errno and rule and changes no state', () => {
    for (const [def, e] of STREAM_EDGES) {
      const refuse = def.actions.find((a) => typeof a === 'object' && a !== null && (a as { type?: string }).type === 'refuse') as
        | { params: { errno: string; rule: RuleId } }
        | undefined;
      if (!refuse) continue;
      assert.equal(e.errno, refuse.params.errno, e.key);
      assert.deepEqual(e.rules, [refuse.params.rule], e.key);
      assert.equal(e.to, null, `${e.key} is a self-transition`);
    }
  });

  test('the machines are closed: no invoke, no after', () => {
    for (const m of [accelMachine, taskMachine]) {
      for (const node of Object.values(m.root.states)) {
        assert.equal(node.invoke.length, 0);
        assert.equal(node.after.length, 0);
      }
    }
  });

  test('every accel rule cites a 7.2 kernel source', () => {
    for (const r of ACCEL_RULE_IDS) {
      const k = RULES[r].kernel;
      assert.match(k, /7\.2/, r);
      assert.ok(/sound\/|Documentation\/|fs\/|none/.test(k), `${r}: ${k}`);
    }
  });

  test('the rules record where the design document and the code disagree', () => {
    const text = (r: RuleId) => Object.values(RULES[r]).join(' ');
    assert.match(text('accel.task-start.finished'), /design document/);
    assert.match(text('accel.task-start.ok'), /In both cases, a\s+new seqno value is allocated/);
    assert.match(text('accel.task-start.input-size'), /fragment_size/);
    assert.match(text('accel.task-status.ok'), /all zeros - from driver/);
    assert.match(text('accel.task-finished.ok'), /first started job must be\s+finished at first/);
  });
});
