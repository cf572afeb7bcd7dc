// The accel conformance suite against the reference accelerator: every result passes, every
// transition of both machines is covered, every accel rule is exercised by a passing result; the
// same with the worker-thread reference and with the seqno counter about to wrap; and the
// real-kernel side reports UNSUPPORTED with its reason.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACCEL_RULE_IDS, DEBIAN_NO_ACCEL, STREAM_EDGES, TASK_EDGES, allTransitionLabels, debianKernelAccelBackend, generatePaths,
  probeAccelModule, runAccelSuite, type AccelSuiteReport,
} from '../../conformance/accel/index.ts';
import { TASK_FLAG } from '../../spec/abi/compress.ts';
import type { AccelEvent } from '../../spec/accel-device.ts';
import { AccelRunner } from '../../conformance/accel/runner.ts';
import { REFERENCE_ACCEPTS, REFERENCE_CAPS, referenceAccelBackend } from '../../reference/accel/index.ts';
import { CLOSE, CREATE, FINISH, OPEN, PARAMS, POLL_EV, free, restart, setParams, start, status, stop } from './helpers.ts';

/** The failures of a report, each with its one-line replay, for assertion messages. */
const failures = (r: AccelSuiteReport) =>
  r.results.filter((x) => x.status !== 'PASS').map((x) => `${x.id} ${x.status}: ${x.message}\n  replay: ${x.replay ?? '-'}`).join('\n');

let main: Promise<AccelSuiteReport> | null = null;
const reference = () => (main ??= runAccelSuite(referenceAccelBackend(), { seed: 1, runs: 300 }));

describe('the accel suite on the reference accelerator', () => {
  test('every generated path and the random sequences agree with the model and the oracle', async () => {
    const r = await reference();
    assert.equal(failures(r), '');
    assert.ok(r.results.length > 100, `${r.results.length} results`);
    assert.ok(r.results.some((x) => x.id === 'accel.random'));
  });

  test('every transition label and every edge of both machines was taken', async () => {
    const { coverage } = await reference();
    assert.deepEqual(Object.keys(coverage.transitions).sort(), allTransitionLabels());
    assert.deepEqual(Object.entries(coverage.transitions).filter(([, n]) => n === 0), []);
    assert.deepEqual(Object.entries(coverage.edges).filter(([, n]) => n === 0), []);
    assert.deepEqual(Object.entries(coverage.states).filter(([, n]) => n === 0), []);
  });

  test('every accel rule is exercised by a passing result', async () => {
    const { coverage, results } = await reference();
    assert.deepEqual(Object.keys(coverage.rules).sort(), [...ACCEL_RULE_IDS].sort());
    assert.deepEqual(Object.entries(coverage.rules).filter(([, v]) => v !== 'PASS'), []);
    const exercised = new Set(results.filter((x) => x.status === 'PASS').flatMap((x) => x.rules));
    assert.deepEqual(ACCEL_RULE_IDS.filter((r) => !exercised.has(r)), []);
  });

  test('the generated paths end on every edge of the stream machine and of the task machine', () => {
    const targets = new Set(generatePaths({ caps: REFERENCE_CAPS, accepts: REFERENCE_ACCEPTS }).flatMap((p) => p.target.split(' ')));
    for (const e of STREAM_EDGES.values()) assert.ok(targets.has(`edge:${e.key}`), e.key);
    for (const e of TASK_EDGES.values()) assert.ok(targets.has(`task:${e.key}`), e.key);
    for (const r of ACCEL_RULE_IDS) assert.ok(targets.has(`rule:${r}`), r);
  });

  test('the worker-thread reference agrees with the model too', async () => {
    const backend = referenceAccelBackend({ worker: true });
    try {
      const r = await runAccelSuite(backend, { seed: 2, runs: 40 });
      assert.equal(failures(r), '');
    } finally {
      await backend.shutdown();
    }
  });

  test('with the seqno counter about to wrap, the reference and the model skip 0 alike', async () => {
    const seqnoStart = (1n << 64n) - 3n;
    const r = await runAccelSuite(referenceAccelBackend({ seqnoStart }), { seed: 3, runs: 60, seqnoStart });
    assert.equal(failures(r), '');
    assert.equal(r.coverage.rules['accel.seqno.next'], 'PASS');
  });
});

describe('a long scripted run on the reference', () => {
  test('64 tasks, started, restarted, stopped and freed all at once, agree with the model and the oracle', async () => {
    const backend = referenceAccelBackend();
    const device = await backend.open();
    const runner = new AccelRunner(device, { seed: 9 });
    const p = { ...PARAMS, fragments: 64, fragment_size: 16, codec: { ...PARAMS.codec, ch_in: 2, ch_out: 2 } };
    const events: AccelEvent[] = [OPEN, setParams(p)];
    for (let i = 0; i < 64; i++) events.push(CREATE);
    events.push(CREATE); // EBUSY: fragments is the task limit
    for (let i = 1n; i <= 64n; i++) events.push(start(i, 4n * (1n + (i % 4n)), i % 5n === 0n ? TASK_FLAG.NEW_STREAM : 0));
    for (let i = 1n; i <= 64n; i += 3n) events.push(restart(i, 8n)); // ACTIVE restarts: 65, 66, …
    events.push(stop(0n), POLL_EV);
    for (let i = 2n; i <= 64n; i += 3n) events.push(start(i, 16n));
    for (let i = 0; i < 70; i++) events.push(FINISH, POLL_EV);
    for (let i = 1n; i <= 90n; i++) events.push(status(i));
    events.push(free(0n), CREATE, status(87n), CLOSE);
    try {
      const problem = await runner.run(events);
      assert.equal(problem, null);
      assert.equal(runner.log.length, events.length);
      const finished = runner.log.filter((s) => s.event.type === 'TASK_FINISHED' && s.got.ok && s.got.finished !== 0n).length;
      assert.equal(finished, 21, 'the 21 tasks started again by seqno after the stop of all');
    } finally {
      await device.dispose();
    }
  });
});

describe('the accel suite on real kernels', () => {
  test("on Debian's stock kernels every accel rule is UNSUPPORTED, with the reason", async () => {
    for (const k of ['7.2', '6.1'] as const) {
      const r = await runAccelSuite(debianKernelAccelBackend(k));
      assert.equal(r.results.length, 1);
      assert.equal(r.results[0]!.status, 'UNSUPPORTED');
      assert.equal(r.results[0]!.message, DEBIAN_NO_ACCEL);
      assert.deepEqual(new Set(Object.values(r.coverage.rules)), new Set(['UNSUPPORTED']));
      assert.deepEqual(Object.keys(r.coverage.rules).sort(), [...ACCEL_RULE_IDS].sort());
    }
    assert.match(DEBIAN_NO_ACCEL, /CONFIG_SND_COMPRESS_ACCEL/);
  });

  test('probeAccelModule tells a module that exports snd_compr_task_finished from one that does not', () => {
    const image = (syms: string[]) => new Uint8Array(Buffer.from(`\x7fELF\0${syms.join('\0')}\0`));
    assert.equal(probeAccelModule(image(['snd_compress_new', 'snd_compr_task_finished']), '7.2.12'), null);
    assert.match(probeAccelModule(image(['snd_compress_new', 'snd_compr_stop_error']), '7.2.12') ?? '', /without CONFIG_SND_COMPRESS_ACCEL/);
    assert.match(probeAccelModule(image(['snd_compr_task_finished']), '6.1.176') ?? '', /no accel API/);
  });
});
