// The accel machine, rule by rule: each test runs a few events on the model and checks the
// outcome, the state and that the step exercised the rule. The last test checks that every accel
// rule was exercised here.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { COMPRESS_VERSION, POLL, STREAMING_IOCTLS, TASK_FLAG } from '../../spec/abi/compress.ts';
import { FORMATS } from '../../spec/abi/params.ts';
import type { AccelEvent, AccelOutcome } from '../../spec/accel-device.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import { ACCEL_RULE_IDS } from '../../conformance/accel/coverage.ts';
import type { ModelStep } from '../../conformance/accel/model.ts';
import type { AccelMachineInput } from '../../machines/accel/index.ts';
import {
  CLOSE, CREATE, FINISH, MODEL_INPUT, OPEN, PARAMS, POLL_EV, RecordingModel, SETUP, arg, free, restart, setParams, start, status, stop,
} from './helpers.ts';

const exercised = new Set<RuleId>();

function model(input: AccelMachineInput = MODEL_INPUT): RecordingModel {
  const m = new RecordingModel(input);
  const step = m.step.bind(m);
  m.step = (e: AccelEvent) => {
    const s = step(e);
    for (const r of s.rules) exercised.add(r);
    return s;
  };
  return m;
}

function refused(s: ModelStep, errno: string, rule: RuleId): void {
  assert.deepEqual(s.outcome, { ok: false, errno, rule });
  assert.ok(s.rules.includes(rule), `${rule} not on the edge taken (${s.edge.key})`);
  assert.equal(s.edge.errno, errno, 'the edge carries the errno in its meta');
}

function ok(s: ModelStep, rule: RuleId): AccelOutcome & { ok: true } {
  assert.equal(s.outcome.ok, true, JSON.stringify(s.outcome, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)));
  assert.ok(s.rules.includes(rule), `${rule} not exercised by ${s.edge.key}`);
  return s.outcome as AccelOutcome & { ok: true };
}

const states = (m: RecordingModel) => m.context.tasks.map((t) => `${t.seqno}:${t.state}`);

describe('the accel stream', () => {
  test('accel.open.ok: opening O_RDWR gives a stream in OPEN with no tasks', () => {
    const m = model();
    ok(m.step(OPEN), 'accel.open.ok');
    assert.equal(m.state, 'OPEN');
    assert.equal(m.context.tasks.length, 0);
    assert.equal(m.context.taskSeqno, 0n);
  });

  test('accel.open.direction: opening O_WRONLY or O_RDONLY fails with EINVAL, also on an open stream', () => {
    const m = model();
    refused(m.step({ type: 'OPEN', mode: 'O_WRONLY' }), 'EINVAL', 'accel.open.direction');
    assert.equal(m.state, 'CLOSED');
    m.step(OPEN);
    refused(m.step({ type: 'OPEN', mode: 'O_RDONLY' }), 'EINVAL', 'accel.open.direction');
  });

  test('accel.device.one-stream: a second O_RDWR open fails with EBUSY and a reopen after close works', () => {
    const m = model();
    m.step(OPEN);
    refused(m.step(OPEN), 'EBUSY', 'accel.device.one-stream');
    m.step(CLOSE);
    ok(m.step(OPEN), 'accel.open.ok');
  });

  test('accel.file.closed: with no file open every call fails with EBADF and poll reports EPOLLNVAL', () => {
    const m = model();
    refused(m.step(CREATE), 'EBADF', 'accel.file.closed');
    refused(m.step({ type: 'START' }), 'EBADF', 'accel.file.closed');
    refused(m.step(CLOSE), 'EBADF', 'accel.file.closed');
    assert.equal(ok(m.step(POLL_EV), 'accel.file.closed').revents, POLL.NVAL);
    assert.equal(ok(m.step(FINISH), 'accel.file.closed').finished, 0n);
  });

  test('accel.close.ok: close frees every task, stopping active ones, and the next open starts from seqno 1', () => {
    const m = model();
    m.run([...SETUP, CREATE, CREATE, start(1n)]);
    const s = m.step(CLOSE);
    ok(s, 'accel.close.ok');
    assert.equal(m.state, 'CLOSED');
    assert.deepEqual(s.taskSteps.map((t) => `${t.from}->${t.to}`), ['IDLE->FREED', 'ACTIVE->FREED']);
    assert.ok(s.rules.includes('accel.task-free.ok'));
    const c = m.run([...SETUP, CREATE]);
    assert.equal(ok(c, 'accel.task-create.ok').task?.seqno, 1n);
  });

  test('accel.version.ok: IOCTL_VERSION answers 0.4.1 in OPEN and SETUP', () => {
    const m = model();
    assert.equal(ok(m.run([OPEN, { type: 'IOCTL_VERSION' }]), 'accel.version.ok').version, COMPRESS_VERSION['7.2']);
    assert.equal(ok(m.run([setParams(), { type: 'IOCTL_VERSION' }]), 'accel.version.ok').version, 0x401);
  });

  test('accel.get-caps.ok and accel.device.caps: GET_CAPS answers the driver caps in every state', () => {
    const m = model();
    const s = m.run([OPEN, { type: 'GET_CAPS' }]);
    assert.deepEqual(ok(s, 'accel.get-caps.ok').caps, MODEL_INPUT.caps);
    assert.ok(s.rules.includes('accel.device.caps'));
    assert.deepEqual(ok(m.run([setParams(), { type: 'GET_CAPS' }]), 'accel.device.caps').caps, MODEL_INPUT.caps);
  });

  test('accel.get-params.no-driver-op: GET_PARAMS fails with EBADFD', () => {
    const m = model();
    refused(m.run([OPEN, { type: 'GET_PARAMS' }]), 'EBADFD', 'accel.get-params.no-driver-op');
    refused(m.run([setParams(), { type: 'GET_PARAMS' }]), 'EBADFD', 'accel.get-params.no-driver-op');
  });

  test('accel.metadata.no-driver-op: SET_METADATA and GET_METADATA fail with ENXIO', () => {
    const m = model();
    refused(m.run([OPEN, { type: 'SET_METADATA', key: 1 }]), 'ENXIO', 'accel.metadata.no-driver-op');
    refused(m.run([setParams(), { type: 'GET_METADATA', key: 1 }]), 'ENXIO', 'accel.metadata.no-driver-op');
  });

  test('accel.set-params.ok: SET_PARAMS in OPEN stores fragments and goes to SETUP', () => {
    const m = model();
    const s = m.run(SETUP);
    ok(s, 'accel.set-params.ok');
    assert.ok(s.rules.includes('accel.device.set-params'));
    assert.equal(m.state, 'SETUP');
    assert.equal(m.context.fragments, 2);
  });

  test('accel.set-params.bad-state: SET_PARAMS in SETUP fails with EPERM', () => {
    const m = model();
    refused(m.run([...SETUP, setParams()]), 'EPERM', 'accel.set-params.bad-state');
    assert.equal(m.state, 'SETUP');
  });

  test('accel.set-params.fragment-size: fragment_size 0 fails with EINVAL, checked first', () => {
    const m = model();
    refused(m.run([OPEN, setParams({ ...PARAMS, fragment_size: 0, fragments: 0 })]), 'EINVAL', 'accel.set-params.fragment-size');
    assert.equal(m.state, 'OPEN');
  });

  test('accel.set-params.fragments: 0 or 65 fragments fail with EINVAL; 64 passes the core', () => {
    const m = model();
    refused(m.run([OPEN, setParams({ ...PARAMS, fragments: 0 })]), 'EINVAL', 'accel.set-params.fragments');
    refused(m.step(setParams({ ...PARAMS, fragments: 65 })), 'EINVAL', 'accel.set-params.fragments');
    ok(m.step(setParams({ ...PARAMS, fragments: 64 })), 'accel.set-params.ok');
  });

  test('accel.set-params.codec: codec id 0 or 18, or no channels, fail with EINVAL', () => {
    const m = model();
    m.step(OPEN);
    for (const c of [{ id: 0 }, { id: 18 }, { ch_in: 0 }, { ch_out: 0 }]) {
      refused(m.step(setParams({ ...PARAMS, codec: { ...PARAMS.codec, ...c } })), 'EINVAL', 'accel.set-params.codec');
    }
    assert.equal(m.state, 'OPEN');
  });

  test('accel.device.set-params: parameters the driver does not support fail with EINVAL and leave OPEN', () => {
    const m = model();
    m.step(OPEN);
    const bad = [
      { codec: { ...PARAMS.codec, pcm_format: FORMATS.S16_BE.value } },
      { codec: { ...PARAMS.codec, out_sample_rate: 144000 } },
      { codec: { ...PARAMS.codec, ch_in: 2 } },
      { codec: { ...PARAMS.codec, id: 2 } },
      { fragment_size: 7 },
      { fragment_size: 65538 },
    ];
    for (const b of bad) refused(m.step(setParams({ ...PARAMS, ...b })), 'EINVAL', 'accel.device.set-params');
    assert.equal(m.state, 'OPEN');
  });

  test('accel.task.not-setup: every task ioctl in OPEN fails with EPERM', () => {
    const m = model();
    m.step(OPEN);
    for (const e of [CREATE, start(1n), stop(0n), free(0n), status(1n)]) refused(m.step(e), 'EPERM', 'accel.task.not-setup');
  });

  test('accel.streaming.refused: every streaming ioctl fails with ENOTTY in OPEN and SETUP', () => {
    const m = model();
    m.step(OPEN);
    for (const type of STREAMING_IOCTLS) refused(m.step({ type }), 'ENOTTY', 'accel.streaming.refused');
    m.step(setParams());
    for (const type of STREAMING_IOCTLS) refused(m.step({ type }), 'ENOTTY', 'accel.streaming.refused');
  });

  test('accel.read-write.refused and accel.mmap.refused: read and write fail with EBADFD, mmap with ENXIO', () => {
    const m = model();
    m.step(OPEN);
    refused(m.step({ type: 'READ', bytes: 4 }), 'EBADFD', 'accel.read-write.refused');
    refused(m.step({ type: 'WRITE', bytes: 4 }), 'EBADFD', 'accel.read-write.refused');
    refused(m.step({ type: 'MMAP', bytes: 4096 }), 'ENXIO', 'accel.mmap.refused');
    m.step(setParams());
    refused(m.step({ type: 'WRITE', bytes: 4 }), 'EBADFD', 'accel.read-write.refused');
    refused(m.step({ type: 'MMAP', bytes: 4096 }), 'ENXIO', 'accel.mmap.refused');
  });

  test('accel.poll.open: POLL in OPEN reports EPOLLIN | EPOLLRDNORM | EPOLLERR, filtered by the requested events', () => {
    const m = model();
    assert.equal(ok(m.run([OPEN, POLL_EV]), 'accel.poll.open').revents, POLL.IN | POLL.RDNORM | POLL.ERR);
    assert.equal(ok(m.step({ type: 'POLL', events: POLL.OUT }), 'accel.poll.open').revents, POLL.ERR);
  });

  test('accel.poll.setup: EPOLLOUT while fewer tasks are active than fragments, EPOLLIN only for a finished head', () => {
    const m = model();
    assert.equal(ok(m.run([...SETUP, POLL_EV]), 'accel.poll.setup').revents, POLL.OUT | POLL.WRNORM);
    m.run([CREATE, CREATE, start(2n), start(1n)]);
    assert.equal(ok(m.step(POLL_EV), 'accel.poll.setup').revents, 0, 'two active tasks of two fragments');
    m.step(FINISH); // task 2, behind task 1 in the list
    assert.deepEqual(states(m), ['1:ACTIVE', '2:FINISHED']);
    assert.equal(ok(m.step(POLL_EV), 'accel.poll.setup').revents, POLL.OUT | POLL.WRNORM, 'a finished task behind the head');
    m.step(FINISH);
    assert.equal(ok(m.step(POLL_EV), 'accel.poll.setup').revents, POLL.OUT | POLL.WRNORM | POLL.IN | POLL.RDNORM);
    assert.equal(ok(m.step({ type: 'POLL', events: POLL.IN }), 'accel.poll.setup').revents, POLL.IN);
  });
});

describe('accel tasks', () => {
  test('accel.task-create.ok: TASK_CREATE appends an IDLE task with the next seqno', () => {
    const m = model();
    const s = m.run([...SETUP, { type: 'TASK_CREATE', task: arg({ seqno: 77n, flags: 5 }) }]);
    const o = ok(s, 'accel.task-create.ok');
    assert.equal(o.task?.seqno, 1n);
    assert.equal(o.task?.flags, 5, 'the caller flags are echoed');
    assert.ok(s.rules.includes('accel.device.buffers'));
    assert.equal(m.context.tasks[0]?.flags, 0, "the task's own flags stay 0 until START");
    assert.equal(m.context.tasks[0]?.inputBytes, PARAMS.fragment_size);
    m.step(CREATE);
    assert.deepEqual(states(m), ['1:IDLE', '2:IDLE']);
  });

  test('accel.task-create.busy: with fragments tasks allocated TASK_CREATE fails with EBUSY, before its argument is checked', () => {
    const m = model();
    m.run([...SETUP, CREATE, CREATE]);
    refused(m.step(CREATE), 'EBUSY', 'accel.task-create.busy');
    refused(m.step({ type: 'TASK_CREATE', task: arg({ origin_seqno: 1n }) }), 'EBUSY', 'accel.task-create.busy');
    m.step(free(1n));
    ok(m.step(CREATE), 'accel.task-create.ok');
  });

  test('accel.task-create.invalid: an origin_seqno or an input_size fails with EINVAL and draws no seqno', () => {
    const m = model();
    m.run(SETUP);
    refused(m.step({ type: 'TASK_CREATE', task: arg({ origin_seqno: 1n }) }), 'EINVAL', 'accel.task-create.invalid');
    refused(m.step({ type: 'TASK_CREATE', task: arg({ input_size: 2n }) }), 'EINVAL', 'accel.task-create.invalid');
    assert.equal(ok(m.step(CREATE), 'accel.task-create.ok').task?.seqno, 1n);
  });

  test('accel.seqno.next: CREATE and restarts draw 1, 2, 3, … per open file, and the counter skips 0 when it wraps', () => {
    const m = model();
    m.run([...SETUP, CREATE, CREATE]);
    assert.equal(ok(m.step(restart(1n)), 'accel.seqno.next').task?.seqno, 3n);
    m.step(free(0n));
    assert.equal(ok(m.step(CREATE), 'accel.seqno.next').task?.seqno, 4n);
    const w = model({ ...MODEL_INPUT, seqnoStart: (1n << 64n) - 2n });
    assert.equal(ok(w.run([...SETUP, CREATE]), 'accel.seqno.next').task?.seqno, (1n << 64n) - 1n);
    assert.equal(ok(w.step(CREATE), 'accel.seqno.next').task?.seqno, 1n, '0 is skipped');
  });

  test('accel.task-start.ok: START by seqno queues an IDLE task, keeps its seqno and its place', () => {
    const m = model();
    m.run([...SETUP, CREATE, CREATE]);
    const s = m.step(start(1n, 8n, TASK_FLAG.NEW_STREAM));
    assert.equal(ok(s, 'accel.task-start.ok').task?.seqno, 1n);
    assert.ok(s.rules.includes('accel.device.task-start'));
    assert.deepEqual(states(m), ['1:ACTIVE', '2:IDLE']);
    assert.equal(m.context.activeTasks, 1);
    assert.equal(m.context.tasks[0]?.flags, TASK_FLAG.NEW_STREAM);
    assert.equal(m.context.taskSeqno, 2n, 'no seqno drawn');
  });

  test('accel.task-start.unknown: START naming no task (seqno 0 included) fails with EINVAL', () => {
    const m = model();
    m.run([...SETUP, CREATE]);
    refused(m.step(start(0n)), 'EINVAL', 'accel.task-start.unknown');
    refused(m.step(start(5n)), 'EINVAL', 'accel.task-start.unknown');
    refused(m.step(restart(5n)), 'EINVAL', 'accel.task-start.unknown');
  });

  test('accel.task-start.not-idle: START by seqno of an ACTIVE or FINISHED task fails with EBUSY', () => {
    const m = model();
    m.run([...SETUP, CREATE, start(1n)]);
    refused(m.step(start(1n, 99n)), 'EBUSY', 'accel.task-start.not-idle');
    m.step(FINISH);
    refused(m.step(start(1n)), 'EBUSY', 'accel.task-start.not-idle');
  });

  test('accel.task-start.finished: restarting a FINISHED task fails with EBUSY (the code, not the design document)', () => {
    const m = model();
    m.run([...SETUP, CREATE, start(1n), FINISH]);
    refused(m.step(restart(1n)), 'EBUSY', 'accel.task-start.finished');
    ok(m.step(stop(1n)), 'accel.task-stop.not-active');
    assert.deepEqual(states(m), ['1:FINISHED'], 'STOP does not make it reusable');
  });

  test('accel.task-start.input-size: more input than the input buffer fails with EINVAL and changes nothing', () => {
    const m = model();
    m.run([...SETUP, CREATE]);
    refused(m.step(start(1n, 10n)), 'EINVAL', 'accel.task-start.input-size');
    refused(m.step(restart(1n, 10n)), 'EINVAL', 'accel.task-start.input-size');
    assert.deepEqual(m.context.tasks.map((t) => [t.seqno, t.state, t.input_size]), [[1n, 'IDLE', 0n]]);
  });

  test('accel.task-start.restart: restarting an IDLE task renames it, moves it to the tail and queues it', () => {
    const m = model();
    m.run([...SETUP, CREATE, CREATE]);
    const o = ok(m.step(restart(1n)), 'accel.task-start.restart');
    assert.equal(o.task?.seqno, 3n);
    assert.equal(o.task?.origin_seqno, 0n);
    assert.deepEqual(states(m), ['2:IDLE', '3:ACTIVE']);
    refused(m.step(status(1n)), 'EINVAL', 'accel.task-status.unknown');
  });

  test('accel.task-start.restart-active: restarting an ACTIVE task is accepted and counts it active twice', () => {
    const m = model();
    m.run([...SETUP, CREATE, start(1n)]);
    assert.equal(ok(m.step(restart(1n)), 'accel.task-start.restart-active').task?.seqno, 2n);
    assert.deepEqual(states(m), ['2:ACTIVE']);
    assert.equal(m.context.activeTasks, 2);
    assert.equal(ok(m.step(POLL_EV), 'accel.poll.setup').revents, 0, 'EPOLLOUT gone early: 2 counted of 2 fragments');
    m.step(FINISH);
    assert.equal(m.context.activeTasks, 1, 'one task, counted once more than it is active');
  });

  test('accel.task-start.driver-error: a START the driver refuses stores the input and leaves the task IDLE', () => {
    const m = model();
    m.run([...SETUP, CREATE]);
    refused(m.step(start(1n, 3n)), 'EINVAL', 'accel.task-start.driver-error');
    assert.equal(ok(m.step(status(1n)), 'accel.task-status.ok').status?.input_size, 3n);
    refused(m.step(start(1n, 0n)), 'EINVAL', 'accel.task-start.driver-error');
  });

  test('accel.task-start.driver-error: a refused restart renames the task without telling the caller', () => {
    const m = model();
    m.run([...SETUP, CREATE, start(1n)]);
    const s = m.step(restart(1n, 3n));
    refused(s, 'EINVAL', 'accel.task-start.driver-error');
    assert.ok(s.rules.includes('accel.device.task-start'));
    assert.deepEqual(states(m), ['2:IDLE']);
    assert.equal(m.context.activeTasks, 1, 'still counted although IDLE');
    assert.deepEqual(m.context.runQueue, []);
    refused(m.step(status(1n)), 'EINVAL', 'accel.task-status.unknown');
    ok(m.step(free(0n)), 'accel.task-free.all');
  });

  test('accel.task-stop.ok: STOP of an ACTIVE task dequeues it, moves it to the tail and makes it IDLE', () => {
    const m = model();
    m.run([...SETUP, CREATE, CREATE, start(1n)]);
    ok(m.step(stop(1n)), 'accel.task-stop.ok');
    assert.deepEqual(states(m), ['2:IDLE', '1:IDLE']);
    assert.equal(m.context.activeTasks, 0);
    assert.equal(ok(m.step(FINISH), 'accel.device.run').finished, 0n, 'nothing queued');
    ok(m.step(start(1n)), 'accel.task-start.ok');
  });

  test('accel.task-stop.not-active: STOP of an IDLE task does nothing and returns 0', () => {
    const m = model();
    m.run([...SETUP, CREATE, CREATE]);
    ok(m.step(stop(1n)), 'accel.task-stop.not-active');
    assert.deepEqual(states(m), ['1:IDLE', '2:IDLE'], 'no move');
  });

  test('accel.task-stop.all: STOP of seqno 0 stops every task from the tail, reversing the active ones', () => {
    const m = model();
    ok(m.run([...SETUP, stop(0n)]), 'accel.task-stop.all');
    m.run([CREATE, CREATE, start(1n), start(2n)]);
    ok(m.step(stop(0n)), 'accel.task-stop.all');
    assert.deepEqual(states(m), ['2:IDLE', '1:IDLE']);
    assert.equal(m.context.activeTasks, 0);
  });

  test('accel.task-stop.unknown: STOP naming no task fails with EINVAL', () => {
    const m = model();
    refused(m.run([...SETUP, stop(3n)]), 'EINVAL', 'accel.task-stop.unknown');
  });

  test('accel.task-free.ok: FREE stops an active task, frees it and makes room for a CREATE', () => {
    const m = model();
    m.run([...SETUP, CREATE, CREATE, start(2n)]);
    const s = m.step(free(2n));
    ok(s, 'accel.task-free.ok');
    assert.ok(s.rules.includes('accel.task-stop.ok'));
    assert.deepEqual(states(m), ['1:IDLE']);
    assert.equal(m.context.activeTasks, 0);
    assert.equal(ok(m.step(CREATE), 'accel.task-create.ok').task?.seqno, 3n);
    m.run([start(3n), FINISH]);
    ok(m.step(free(3n)), 'accel.task-free.ok');
  });

  test('accel.task-free.all: FREE of seqno 0 frees every task and keeps the seqno counter', () => {
    const m = model();
    ok(m.run([...SETUP, free(0n)]), 'accel.task-free.all');
    m.run([CREATE, CREATE, start(1n)]);
    ok(m.step(free(0n)), 'accel.task-free.all');
    assert.equal(m.context.tasks.length, 0);
    assert.equal(m.context.taskSeqno, 2n);
  });

  test('accel.task-free.unknown: FREE naming no task fails with EINVAL', () => {
    const m = model();
    refused(m.run([...SETUP, CREATE, free(2n)]), 'EINVAL', 'accel.task-free.unknown');
  });

  test('accel.task-status.ok: STATUS reports state, input_size and the driver output_size, echoing output_flags', () => {
    const m = model();
    m.run([...SETUP, CREATE]);
    assert.deepEqual(ok(m.step(status(1n, 0x5a)), 'accel.task-status.ok').status, {
      seqno: 1n, input_size: 0n, output_size: 0n, output_flags: 0x5a, state: 'IDLE',
    });
    m.run([start(1n, 8n), FINISH]);
    assert.deepEqual(ok(m.step(status(1n)), 'accel.task-status.ok').status, {
      seqno: 1n, input_size: 8n, output_size: 32n, output_flags: 0, state: 'FINISHED',
    });
  });

  test('accel.task-status.ok: a restarted task shows its previous output_size until it completes again', () => {
    const m = model();
    m.run([...SETUP, CREATE, start(1n, 8n), FINISH, free(1n), CREATE, start(2n, 8n), stop(2n), restart(2n, 2n)]);
    assert.equal(ok(m.step(status(3n)), 'accel.task-status.ok').status?.output_size, 0n);
    m.run([FINISH, CREATE, start(4n, 2n), FINISH]);
    assert.equal(ok(m.step(status(3n)), 'accel.task-status.ok').status?.output_size, 8n);
  });

  test('accel.task-status.unknown: STATUS of seqno 0 or of no task fails with EINVAL', () => {
    const m = model();
    m.run([...SETUP, CREATE]);
    refused(m.step(status(0n)), 'EINVAL', 'accel.task-status.unknown');
    refused(m.step(status(2n)), 'EINVAL', 'accel.task-status.unknown');
  });

  test('accel.task-finished.ok: the accelerator finishing a task makes it FINISHED with its output size', () => {
    const m = model();
    const s = m.run([...SETUP, CREATE, start(1n, 2n), FINISH]);
    assert.equal(ok(s, 'accel.task-finished.ok').finished, 1n);
    assert.deepEqual(s.taskSteps.map((t) => `${t.from}->${t.to}`), ['ACTIVE->FINISHED']);
    assert.equal(m.context.activeTasks, 0);
    assert.equal(m.context.tasks[0]?.output_size, 8n, 'one frame in, two FLOAT_LE frames out');
  });
});

describe('the reference accelerator as the model sees it', () => {
  test('accel.device.run: the accelerator finishes the first started task first, and nothing when idle', () => {
    const m = model();
    m.run([...SETUP, CREATE, CREATE, start(2n), start(1n)]);
    assert.equal(ok(m.step(FINISH), 'accel.device.run').finished, 2n);
    assert.equal(ok(m.step(FINISH), 'accel.device.run').finished, 1n);
    assert.equal(ok(m.step(FINISH), 'accel.device.run').finished, 0n);
    const o = model();
    assert.equal(ok(o.run([OPEN, FINISH]), 'accel.device.run').finished, 0n);
  });

  test('accel.device.task-start: a restart of an ACTIVE task moves it to the tail of the run queue', () => {
    const m = model();
    m.run([...SETUP, CREATE, CREATE, start(1n), start(2n)]);
    ok(m.step(restart(1n)), 'accel.device.task-start');
    assert.equal(ok(m.step(FINISH), 'accel.device.run').finished, 2n);
    assert.equal(ok(m.step(FINISH), 'accel.device.run').finished, 3n);
  });

  test('accel.device.buffers, accel.device.transform and accel.device.new-stream are carried by CREATE and TASK_FINISHED', () => {
    const m = model();
    const c = m.run([...SETUP, CREATE]);
    assert.ok(c.rules.includes('accel.device.buffers'));
    const f = m.run([start(1n, 8n, TASK_FLAG.NEW_STREAM), FINISH]);
    assert.ok(f.rules.includes('accel.device.transform') && f.rules.includes('accel.device.new-stream'));
  });

  test('every accel rule was exercised by the tests above', () => {
    const missing = ACCEL_RULE_IDS.filter((r) => !exercised.has(r));
    assert.deepEqual(missing, []);
  });
});
