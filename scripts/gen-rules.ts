// Generates spec/rules.generated.ts from the rule headings in spec/**/*.md.
//   tsx scripts/gen-rules.ts          write the file
//   tsx scripts/gen-rules.ts --check  exit 1 if the file is stale
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseRuleFiles, renderRulesModule } from '../spec/parse.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}spec/rules.generated.ts`;
const text = renderRulesModule(parseRuleFiles(`${root}spec`));
if (process.argv.includes('--check')) {
  let old = '';
  try { old = readFileSync(out, 'utf8'); } catch { /* missing counts as stale */ }
  if (old !== text) {
    console.error('spec/rules.generated.ts is stale: run `npm run gen`');
    process.exit(1);
  }
} else {
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
}
