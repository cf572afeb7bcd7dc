// The conformance suite against real kernels: `alsa-spec check --backend kernel` for Linux 7.2 and
// 6.1, each with snd-dummy and snd-aloop, in a QEMU guest (TCG). Every generated path, scenario,
// random sequence, data test and managed-buffer check runs in real time (device.advance.observed);
// a run passes when no test fails and every rule the device can reach is exercised. The kernels
// are provisioned first when missing and this machine can; otherwise the suite is skipped with the
// reason printed.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { check } from '../../cli/check.ts';
import type { Results } from '../../reports/results.ts';
import type { KernelVersion } from '../../reference/kernel/setup.ts';
import { kernelsReady } from './ready.ts';

const KERNELS: KernelVersion[] = ['7.2', '6.1'];
const DEVICES = ['dummy', 'aloop'] as const;

const notReady = await kernelsReady(KERNELS);
if (notReady) console.log(`# skipped: the conformance suite on real kernels: ${notReady}`);

const out = mkdtempSync(join(tmpdir(), 'alsa-spec-kcheck-'));
after(() => rmSync(out, { recursive: true, force: true }));

for (const kernel of KERNELS) {
  for (const device of DEVICES) {
    describe(`check --backend kernel --kernel ${kernel} --device ${device}`, { skip: notReady ?? false }, () => {
      let code = -1;
      let results: Results;
      it('runs to the end and exits 0: no test fails, every rule the device can reach is exercised', async () => {
        const dir = join(out, `${kernel}-${device}`);
        const t0 = Date.now();
        code = await check({
          backend: 'kernel', kernel, device, profiles: [], seed: 1, runs: 0, runsGiven: false, maxCommands: 40, out: dir, report: false, progress: false,
        });
        results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
        console.log(`# kernel ${kernel} ${device}: ${results.tests.length} tests in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
        const bad = results.tests.filter((t) => t.status === 'FAIL' || t.status === 'ERROR').map((t) => `${t.id}: ${t.reason}\n  ${t.replay}`);
        assert.deepEqual(bad, []);
        const uncovered = Object.entries(results.coverage.rules).filter(([, s]) => s === 'UNCOVERED' || s === 'FAIL');
        assert.deepEqual(uncovered, []);
        assert.equal(code, 0);
      });

      it('names the kernel it booted and runs the whole suite on it', () => {
        assert.ok(results, 'the run above produced results');
        assert.equal(results.backend, 'kernel');
        assert.match(String(results.kernel), new RegExp(`^${kernel.replace('.', '\\.')}\\.\\d+`));
        const ids = results.tests.map((t) => t.id);
        const count = (prefix: string) => ids.filter((i) => i.startsWith(prefix)).length;
        assert.ok(count(`${device}/paths/1/`) > 500, `one-file paths: ${count(`${device}/paths/1/`)}`);
        assert.ok(count(`${device}/paths/2/`) > 200, `two-file paths: ${count(`${device}/paths/2/`)}`);
        for (const id of [`${device}/random/1`, `${device}/random/2`]) assert.equal(results.tests.find((t) => t.id === id)?.status, 'PASS', id);
        assert.ok(count(`memory/${device}/`) > 50, `managed-buffer checks: ${count(`memory/${device}/`)}`);
      });

      it('exercises the rules only a real device can: observed progress, xruns it found, and (aloop) data through the cable', () => {
        assert.ok(results, 'the run above produced results');
        const rules = results.coverage.rules;
        for (const r of ['device.advance.observed', 'ring.xrun.detect', 'ring.update.hw-ptr', 'pcm.sync-ptr.ok', 'pcm.drain.wait', 'buffer.hw-params.own', 'buffer.hw-params.enomem']) {
          assert.equal(rules[r], 'PASS', r);
        }
        const data = results.tests.filter((t) => t.id.startsWith(`${device}/data/`));
        if (device === 'aloop') {
          for (const t of data.filter((x) => x.id !== `${device}/data/output-intact`)) assert.equal(t.status, 'PASS', `${t.id}: ${t.reason ?? ''}`);
        } else {
          for (const t of data) assert.match(t.reason ?? '', /no loopback|cannot show what the device played/, t.id);
        }
      });
    });
  }
}
