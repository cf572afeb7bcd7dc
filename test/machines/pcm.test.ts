// The PCM machine on its own, with values worked out by hand from sound/core/pcm_lib.c and
// pcm_native.c: what the kernel answers in the cases the spec calls out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createActor } from 'xstate';
import type { Command, HwCaps, Outcome } from '../../spec/device.ts';
import { boundary32, boundary64 } from '../../machines/pcm/runtime.ts';
import { createPcmMachine, regionsOf } from '../../machines/pcm/machine.ts';
import { allEdges } from '../../machines/pcm/decide.ts';
import { planPaths, SCENARIOS } from '../../conformance/explore.ts';

const CAPS: HwCaps = {
  info: ['MMAP', 'MMAP_VALID', 'INTERLEAVED', 'NONINTERLEAVED', 'PAUSE', 'RESUME'],
  formats: ['S16_LE'],
  rates: { min: 8000, max: 192000 },
  channels: { min: 1, max: 8 },
  buffer_bytes_max: 1 << 20,
  period_bytes: { min: 64, max: 1 << 19 },
  periods: { min: 1, max: 1024 },
};
const hw = { access: 'RW_INTERLEAVED', format: 'S16_LE', channels: 2, rate: 48000, period_size: 256, periods: 4 } as const;

function pcm(files: 1 | 2 = 1, kernel: '7.2' | '6.1' = '7.2') {
  const actor = createActor(createPcmMachine(files), { input: { caps: { PLAYBACK: CAPS, CAPTURE: CAPS }, kernel } }).start();
  const send = (cmd: Command): Outcome => {
    actor.send(cmd);
    const s = actor.getSnapshot();
    if (s.status === 'error') throw s.error;
    return s.context.last;
  };
  return { send, state: (fd = 0) => regionsOf(actor.getSnapshot())[fd], ctx: () => actor.getSnapshot().context };
}

const errno = (o: Outcome) => (o.ok ? 'ok' : o.errno);
const sw = (p: { stop: bigint; start?: bigint; availMin?: bigint }): Command => ({
  type: 'SW_PARAMS', fd: 0,
  params: { avail_min: p.availMin ?? 256n, start_threshold: p.start ?? 1n, stop_threshold: p.stop, silence_threshold: 0n, silence_size: 0n },
});
const playback = (m: ReturnType<typeof pcm>, nonblock = true) => {
  m.send({ type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock });
  m.send({ type: 'HW_PARAMS', fd: 0, params: hw });
};

test('the 64-bit boundary is buffer_size doubled while 2·boundary ≤ LONG_MAX − buffer_size', () => {
  assert.equal(boundary64(4096n), 1n << 62n);
  assert.equal(boundary64(1024n), 1n << 62n);
  assert.equal(boundary64(6000n), 6000n * (1n << 50n));
});

test('the compat boundary stays below 2^31: 2^30 for 4096 frames, the buffer itself when nothing fits', () => {
  assert.equal(boundary32(4096n), 1n << 30n);
  assert.equal(boundary32(6000n), 6000n * (1n << 18n));
  assert.equal(boundary32(0n), 0n);
  assert.equal(boundary32(0x7fffffffn), 0x7fffffffn);
});

test('START outside PREPARED is EBADFD; in PREPARED with nothing queued it is EPIPE and the stream stays PREPARED', () => {
  const m = pcm();
  playback(m);
  assert.equal(errno(m.send({ type: 'START', fd: 0 })), 'EBADFD');
  m.send({ type: 'PREPARE', fd: 0 });
  assert.equal(errno(m.send({ type: 'START', fd: 0 })), 'EPIPE');
  assert.equal(m.state(), 'PREPARED');
});

test('PAUSE checks INFO_PAUSE before the state, RESUME the state before INFO_RESUME', () => {
  const m = pcm();
  m.send({ type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  assert.equal(errno(m.send({ type: 'PAUSE', fd: 0, push: true })), 'ENOSYS'); // fresh runtime: info 0
  assert.equal(errno(m.send({ type: 'RESUME', fd: 0 })), 'EBADFD');
  m.send({ type: 'HW_PARAMS', fd: 0, params: hw });
  m.send({ type: 'HW_FREE', fd: 0 });
  assert.equal(m.state(), 'OPEN');
  assert.equal(errno(m.send({ type: 'PAUSE', fd: 0, push: true })), 'EBADFD'); // HW_FREE left INFO_PAUSE behind
});

test('STATUS that finds the underrun reports the state it read before updating, with avail past stop_threshold', () => {
  const m = pcm();
  playback(m);
  m.send(sw({ stop: 1124n }));
  m.send({ type: 'PREPARE', fd: 0 });
  m.send({ type: 'WRITEI', fd: 0, frames: 256 }); // start_threshold 1: RUNNING
  assert.equal(m.state(), 'RUNNING');
  assert.equal(m.send({ type: 'ADVANCE', fd: 0, frames: 356 }).ok, true); // interrupt at 256: avail 1024 < 1124
  const st = m.send({ type: 'STATUS', fd: 0, ext: false });
  assert.ok(st.ok && st.status);
  assert.equal(st.status.state, 'RUNNING');
  assert.equal(st.status.hw_ptr, 356n);
  assert.equal(st.status.avail, 1124n);
  assert.equal(st.status.delay, 0n); // no longer running after the update
  assert.equal(m.state(), 'XRUN');
});

test('a nonblocking DRAIN answers EAGAIN; the drain ends at the first period interrupt past the data', () => {
  const m = pcm();
  playback(m);
  m.send({ type: 'PREPARE', fd: 0 });
  m.send({ type: 'WRITEI', fd: 0, frames: 300 });
  assert.equal(errno(m.send({ type: 'DRAIN', fd: 0 })), 'EAGAIN');
  assert.equal(m.state(), 'DRAINING');
  const ran = m.send({ type: 'ADVANCE', fd: 0, frames: 1000 });
  assert.ok(ran.ok);
  assert.equal(ran.value, 512n);
  assert.equal(m.state(), 'SETUP');
});

test('a blocking DRAIN runs the device to the end of the data and returns 0 in SETUP', () => {
  const m = pcm();
  playback(m, false);
  m.send({ type: 'PREPARE', fd: 0 });
  m.send({ type: 'WRITEI', fd: 0, frames: 600 });
  assert.equal(errno(m.send({ type: 'DRAIN', fd: 0 })), 'ok');
  assert.equal(m.state(), 'SETUP');
  assert.equal(m.ctx().streams[0]!.hwPtr, 768n);
});

test('DELAY reports the queued frames in PREPARED, where STATUS reports 0', () => {
  const m = pcm();
  playback(m);
  m.send(sw({ stop: 1024n, start: 1024n }));
  m.send({ type: 'PREPARE', fd: 0 });
  m.send({ type: 'WRITEI', fd: 0, frames: 300 });
  const d = m.send({ type: 'DELAY', fd: 0 });
  assert.ok(d.ok);
  assert.equal(d.value, 300n);
  const st = m.send({ type: 'STATUS', fd: 0, ext: false });
  assert.ok(st.ok && st.status);
  assert.equal(st.status.delay, 0n);
});

test('SYNC_PTR has no state check: in OPEN a fresh file refuses any appl_ptr, one after HW_FREE takes it', () => {
  const m = pcm();
  m.send({ type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  const sync = (): Command => ({ type: 'SYNC_PTR', fd: 0, flags: 0, appl_ptr: 5n, avail_min: 0n, compat32: false });
  assert.equal(errno(m.send(sync())), 'EINVAL');
  m.send({ type: 'HW_PARAMS', fd: 0, params: hw });
  m.send({ type: 'HW_FREE', fd: 0 });
  const r = m.send(sync());
  assert.ok(r.ok && r.sync);
  assert.equal(r.sync.appl_ptr, 5n);
  assert.equal(r.sync.avail_min, 0n); // written without a check (SW_PARAMS would refuse 0)
});

test('a store of ULONG_MAX through the control page makes the next interrupt find an underrun (u64 arithmetic)', () => {
  const m = pcm();
  playback(m);
  m.send({ type: 'PREPARE', fd: 0 });
  m.send({ type: 'WRITEI', fd: 0, frames: 1024 });
  m.send({ type: 'MMAP', fd: 0, area: 'CONTROL' });
  m.send({ type: 'ADVANCE', fd: 0, frames: 200 });
  m.send({ type: 'CONTROL_WRITE', fd: 0, appl_ptr: (1n << 64n) - 1n });
  const ran = m.send({ type: 'ADVANCE', fd: 0, frames: 100 });
  assert.ok(ran.ok);
  assert.equal(ran.value, 56n); // to the interrupt at 256, where hw_ptr + 1024 − ULONG_MAX wraps to 1281 ≥ 1024
  assert.equal(m.state(), 'XRUN');
});

test('START on a linked pair in which the other member is not PREPARED fails for both, and neither moves', () => {
  const m = pcm(2);
  for (const [fd, stream] of [[0, 'PLAYBACK'], [1, 'CAPTURE']] as const) {
    m.send({ type: 'OPEN', fd, stream, nonblock: true });
    m.send({ type: 'HW_PARAMS', fd, params: hw });
    m.send({ type: 'PREPARE', fd });
  }
  assert.equal(errno(m.send({ type: 'LINK', fd: 0, other: 1 })), 'ok');
  m.send({ type: 'WRITEI', fd: 0, frames: 256 }); // auto-start at start_threshold 1 starts the group
  assert.equal(m.state(0), 'RUNNING');
  assert.equal(m.state(1), 'RUNNING');
  m.send({ type: 'DROP', fd: 0 });
  m.send({ type: 'PREPARE', fd: 0 }); // prepares both members
  m.send({ type: 'HW_FREE', fd: 1 });
  assert.equal(m.state(1), 'OPEN');
  m.send({ type: 'WRITEI', fd: 0, frames: 8 }); // start refused by the OPEN member: the write keeps its frames
  assert.equal(m.state(0), 'PREPARED');
  assert.equal(errno(m.send({ type: 'START', fd: 0 })), 'EBADFD');
  assert.equal(m.state(0), 'PREPARED');
  assert.equal(errno(m.send({ type: 'DROP', fd: 0 })), 'ok'); // pcm.drop.group-blocked: 0, and nothing moves
  assert.equal(m.state(0), 'PREPARED');
});

test('Linux 6.1 answers PVERSION 2.0.15, 7.2 answers 2.0.18', () => {
  for (const [kernel, v] of [['7.2', 0x20012n], ['6.1', 0x2000fn]] as const) {
    const m = pcm(1, kernel);
    m.send({ type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
    const r = m.send({ type: 'PVERSION', fd: 0 });
    assert.ok(r.ok);
    assert.equal(r.value, v);
  }
});

test('the machine is closed: no state invokes an actor or waits on a timer', () => {
  const json = JSON.stringify(createPcmMachine(1).definition);
  assert.doesNotMatch(json, /"invoke":\[\{/);
  assert.doesNotMatch(json, /xstate\.after/);
});

test('exploring the one-file machine meets no model gap, and its paths take most of its edges', () => {
  const plan = planPaths({
    files: 1, caps: { PLAYBACK: CAPS, CAPTURE: CAPS }, kernel: '7.2',
    scenarios: SCENARIOS[1].map((s) => ({ ...s, maxStates: 400, maxDepth: 8 })),
  });
  assert.deepEqual(plan.failures.map((f) => f.message), []);
  assert.ok(plan.edges.size > allEdges(1).size * 0.6, `${plan.edges.size} of ${allEdges(1).size} edges`);
});
