import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SYNC_PTR_FLAG } from '../../spec/abi/ioctl.ts';
import { advance, hw, must, prepared, refused, session, state, value, write } from './helpers.ts';

const { HWSYNC, APPL, AVAIL_MIN } = SYNC_PTR_FLAG;

test('SYNC_PTR without flags writes appl_ptr and avail_min, in any state and without checking avail_min', () => {
  const dev = session();
  must(dev, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  must(dev, { type: 'HW_PARAMS', fd: 0, params: hw(64, 4) }); // SETUP
  const r = must(dev, { type: 'SYNC_PTR', fd: 0, flags: 0, appl_ptr: 77n, avail_min: 0n, compat32: false }).sync!;
  assert.deepEqual(r, { state: 'SETUP', suspended_state: 'OPEN', hw_ptr: 0n, appl_ptr: 77n, avail_min: 0n });
  assert.equal(dev.debug(0).avail_min, 0n);
});

test('SYNC_PTR with APPL and AVAIL_MIN reports the kernel values and changes nothing', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { start_threshold: 1000n });
  write(dev, 0, 30);
  const before = dev.debug(0);
  const r = must(dev, { type: 'SYNC_PTR', fd: 0, flags: APPL | AVAIL_MIN, appl_ptr: 999n, avail_min: 999n, compat32: false }).sync!;
  assert.equal(r.appl_ptr, 30n);
  assert.equal(r.avail_min, 64n);
  assert.deepEqual(dev.debug(0), before);
});

test('SYNC_PTR reports the stored hw_ptr unless HWSYNC asks for an update', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  write(dev, 0, 256);
  advance(dev, 0, 100);
  const flags = APPL | AVAIL_MIN;
  assert.equal(must(dev, { type: 'SYNC_PTR', fd: 0, flags, appl_ptr: 0n, avail_min: 0n, compat32: false }).sync!.hw_ptr, 64n);
  assert.equal(must(dev, { type: 'SYNC_PTR', fd: 0, flags: flags | HWSYNC, appl_ptr: 0n, avail_min: 0n, compat32: false }).sync!.hw_ptr, 100n);
});

test('SYNC_PTR stops at a failed HWSYNC: neither appl_ptr nor avail_min is written', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  write(dev, 0, 64);
  must(dev, { type: 'XRUN', fd: 0 });
  refused(dev, { type: 'SYNC_PTR', fd: 0, flags: HWSYNC, appl_ptr: 5n, avail_min: 5n, compat32: false }, 'EPIPE', 'pcm.hwsync.xrun');
  assert.equal(dev.debug(0).appl_ptr, 64n);
  assert.equal(dev.debug(0).avail_min, 64n);
});

test('a refused appl_ptr leaves avail_min unwritten too', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  refused(dev, { type: 'SYNC_PTR', fd: 0, flags: 0, appl_ptr: 1n << 62n, avail_min: 5n, compat32: false }, 'EINVAL', 'pcm.sync-ptr.appl-invalid');
  assert.equal(dev.debug(0).avail_min, 64n);
});

test('the compat SYNC_PTR carries 32-bit control fields: a written appl_ptr is truncated, not scaled', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  const r = must(dev, { type: 'SYNC_PTR', fd: 0, flags: 0, appl_ptr: (1n << 32n) + 40n, avail_min: (1n << 32n) + 3n, compat32: true }).sync!;
  assert.equal(r.appl_ptr, 40n);
  assert.equal(dev.debug(0).appl_ptr, 40n);
  assert.equal(dev.debug(0).avail_min, 3n);
});

test('POLL: ready at avail ≥ avail_min while PREPARED, RUNNING or PAUSED, an error in SETUP or XRUN', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { avail_min: 200n, start_threshold: 1000n });
  prepared(dev, 1, 'CAPTURE', hw(64, 4));
  assert.equal(value(dev, { type: 'POLL', fd: 0 }), 0x104n, 'empty playback: avail 256');
  write(dev, 0, 100);
  assert.equal(value(dev, { type: 'POLL', fd: 0 }), 0n, 'avail 156 < 200');
  assert.equal(value(dev, { type: 'POLL', fd: 1 }), 0n, 'nothing captured');
  must(dev, { type: 'START', fd: 1 });
  advance(dev, 1, 64);
  assert.equal(value(dev, { type: 'POLL', fd: 1 }), 0x41n);
  must(dev, { type: 'XRUN', fd: 1 });
  assert.equal(value(dev, { type: 'POLL', fd: 1 }), 0x49n);
  must(dev, { type: 'DROP', fd: 0 });
  assert.equal(state(dev, 0), 'SETUP');
  assert.equal(value(dev, { type: 'POLL', fd: 0 }), 0x10cn);
});

test('POLL on a draining capture stream is ready, with an error once it is empty', () => {
  const dev = session();
  prepared(dev, 1, 'CAPTURE', hw(64, 4));
  must(dev, { type: 'START', fd: 1 });
  advance(dev, 1, 64);
  refused(dev, { type: 'DRAIN', fd: 1 }, 'EAGAIN');
  assert.equal(value(dev, { type: 'POLL', fd: 1 }), 0x41n);
  refused(dev, { type: 'FORWARD', fd: 1, frames: 64n }, 'EBADFD', 'pcm.hwsync.bad-state');
  must(dev, { type: 'MMAP', fd: 1, area: 'CONTROL' });
  must(dev, { type: 'CONTROL_WRITE', fd: 1, appl_ptr: 64n }); // an mmap reader consumed the frames
  assert.equal(value(dev, { type: 'POLL', fd: 1 }), 0x49n);
});
