import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRuleText } from '../../spec/parse.ts';
import { RULE_IDS, RULES } from '../../spec/rules.generated.ts';

const specDir = new URL('../../spec/', import.meta.url).pathname;
const mdFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? mdFiles(join(dir, d.name)) : d.name.endsWith('.md') && d.name !== 'README.md' ? [join(dir, d.name)] : [],
  );

test('spec/rules.generated.ts is what scripts/gen-rules.ts makes of the spec today', () => {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/gen-rules.ts', '--check'], { cwd: join(specDir, '..'), stdio: 'pipe' });
});

test('every rule names its kernel source file and function', () => {
  for (const id of RULE_IDS) {
    const r = RULES[id];
    if (id.startsWith('harness.')) continue; // the harness's own conventions cite no kernel code
    assert.match(r.kernel, /`[\w/.-]+\.(c|h|rst)`/, `${id} cites no file`);
    assert.match(r.kernel, /`\w+\(\w*\)`/, `${id} cites no function`);
  }
});

test('every rule id a spec file mentions in backquotes is a rule that exists (ids have three segments; `buffer.fragments` is a struct field)', () => {
  const known = new Set<string>(RULE_IDS);
  for (const file of mdFiles(specDir)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/`((?:pcm|ring|device|harness|accel|buffer|sync)\.[a-z0-9-]+\.[a-z0-9.-]+)`/g)) {
      assert.ok(known.has(m[1]!), `${file} mentions ${m[1]}, which no heading defines`);
    }
  }
});

test('a heading that is not "## id — title" or an item-less rule is rejected with the file named', () => {
  assert.throws(() => parseRuleText('## not a rule id\n', 'x.md'), /x\.md/);
  assert.throws(() => parseRuleText('## pcm.start.ok — START\n- **When:** w\n', 'y.md'), /y\.md: rule pcm\.start\.ok has no \*\*Then:\*\*/);
});
