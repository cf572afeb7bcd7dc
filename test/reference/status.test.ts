import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advance, hw, must, prepared, refused, session, state, status, value, write } from './helpers.ts';

test('STATUS reports the state it read before its own update ended the stream', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { stop_threshold: 100n });
  write(dev, 0, 256);
  advance(dev, 0, 100);
  const st = status(dev, 0);
  assert.equal(st.state, 'RUNNING', 'the state read before the update');
  assert.equal(st.hw_ptr, 100n, 'the pointers after it');
  assert.equal(st.avail, 100n);
  assert.equal(st.delay, 0n, 'the stream no longer runs after the update, so no delay');
  assert.equal(state(dev, 0), 'XRUN');
});

test('STATUS resets avail_max after reporting the largest avail since the previous STATUS', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  write(dev, 0, 256);
  advance(dev, 0, 128); // interrupts at 64 (avail 64) and 128 (avail 128)
  write(dev, 0, 100); // the transfer's update sees avail 28
  assert.equal(status(dev, 0).avail_max, 128n);
  assert.equal(status(dev, 0).avail_max, 0n, 'reset, and no update has moved hw_ptr since');
  advance(dev, 0, 10);
  assert.equal(status(dev, 0).avail_max, 38n, 'the STATUS update itself (hw_ptr 138, appl_ptr 356)');
});

test('STATUS in OPEN reports the state and zeros, even after HW_FREE left pointers behind', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  write(dev, 0, 100);
  must(dev, { type: 'DROP', fd: 0 });
  must(dev, { type: 'HW_FREE', fd: 0 });
  assert.equal(dev.debug(0).appl_ptr, 100n);
  assert.deepEqual(status(dev, 0), {
    state: 'OPEN',
    suspended_state: 'OPEN',
    appl_ptr: 0n,
    hw_ptr: 0n,
    delay: 0n,
    avail: 0n,
    avail_max: 0n,
  });
});

test('DELAY reports the queued frames in PREPARED where STATUS reports a delay of 0', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { start_threshold: 1000n });
  write(dev, 0, 150);
  assert.equal(value(dev, { type: 'DELAY', fd: 0 }), 150n);
  assert.equal(status(dev, 0).delay, 0n);
});

test('the playback delay goes negative when the hardware has played past the application', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { stop_threshold: 1n << 62n });
  write(dev, 0, 64);
  advance(dev, 0, 192);
  assert.equal(value(dev, { type: 'DELAY', fd: 0 }), -128n);
});

test('an update that finds hw_ptr where it was returns early, skipping the xrun check', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  write(dev, 0, 256);
  advance(dev, 0, 64); // hw_ptr 64 at the interrupt, avail 64
  must(dev, { type: 'MMAP', fd: 0, area: 'CONTROL' });
  must(dev, { type: 'CONTROL_WRITE', fd: 0, appl_ptr: 64n }); // now avail = 256 ≥ stop_threshold
  const st = status(dev, 0);
  assert.equal(st.avail, 256n);
  assert.equal(state(dev, 0), 'RUNNING', 'hw_ptr did not move, so update_state did not run');
  advance(dev, 0, 1);
  status(dev, 0);
  assert.equal(state(dev, 0), 'XRUN', 'once hw_ptr moves the check runs');
});

test('HWSYNC, DELAY, REWIND and FORWARD share the state check of do_pcm_hwsync', () => {
  const dev = session();
  must(dev, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  refused(dev, { type: 'HWSYNC', fd: 0 }, 'EBADFD', 'pcm.hwsync.bad-state');
  assert.equal(value(dev, { type: 'REWIND', fd: 0, frames: 0n }), 0n, 'zero frames answer before the state check');
  must(dev, { type: 'HW_PARAMS', fd: 0, params: hw(64, 4) });
  refused(dev, { type: 'DELAY', fd: 0 }, 'EBADFD', 'pcm.hwsync.bad-state');
  must(dev, { type: 'PREPARE', fd: 0 });
  write(dev, 0, 64);
  must(dev, { type: 'XRUN', fd: 0 });
  refused(dev, { type: 'FORWARD', fd: 0, frames: 1n }, 'EPIPE', 'pcm.hwsync.xrun');
  must(dev, { type: 'PREPARE', fd: 0 });
  must(dev, { type: 'SUSPEND' });
  refused(dev, { type: 'REWIND', fd: 0, frames: 1n }, 'ESTRPIPE', 'pcm.hwsync.suspended');
});
