// Pointer wrap across the 64-bit boundary. Running 2^62 frames is out of the question, so
// debugShift() puts every pointer a few buffers short of the boundary (as if the stream had run that
// long); the stream then crosses it frame by frame through ordinary commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillPattern } from '../../spec/device.ts';
import { advance, hw, must, prepared, session, state, status, write } from './helpers.ts';

const B = 1n << 62n;
const BS = 4096;

test('playback hw_ptr and appl_ptr wrap from just below 2^62 to 0 with avail and data intact', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(1024, 4));
  dev.debugShift(0, B / BigInt(BS) - 2n); // both pointers at 2^62 − 8192
  assert.equal(write(dev, 0, 2048), 2048n);
  assert.equal(state(dev, 0), 'RUNNING');
  const seen: bigint[] = [];
  for (let i = 0; i < 12; i++) {
    assert.equal(write(dev, 0, 1024), 1024n);
    assert.equal(advance(dev, 0, 1024), 1024n);
    const st = status(dev, 0);
    seen.push(st.hw_ptr);
    assert.equal(st.state, 'RUNNING');
    assert.equal(st.avail, BigInt(BS - 2048), `avail after step ${i}`);
    assert.equal(st.delay, 2048n);
    assert.equal((st.appl_ptr - st.hw_ptr + B) % B, 2048n);
  }
  // hw_ptr went 2^62 − 7168 … 2^62 − 1024, then 0, 1024, …
  assert.equal(seen[6], B - 1024n);
  assert.equal(seen[7], 0n);
  assert.equal(seen[11], 4n * 1024n);
  assert.ok(seen.every((p) => p < B));
  // every frame written was played once, in order, across the wrap
  const played = dev.takeSink();
  const expected = new Uint8Array(12 * 1024 * 4);
  fillPattern(expected, 0, 4);
  assert.deepEqual(played, expected);
});

test('hw_ptr_base returns to 0 exactly when the position wraps at the boundary', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(1024, 4), { stop_threshold: B });
  dev.debugShift(0, B / BigInt(BS) - 1n);
  must(dev, { type: 'START', fd: 0 });
  advance(dev, 0, 3072);
  assert.equal(dev.debug(0).hw_ptr_base, B - BigInt(BS));
  advance(dev, 0, 1024);
  assert.equal(dev.debug(0).hw_ptr_base, 0n);
  assert.equal(dev.debug(0).hw_ptr, 0n);
  assert.equal(dev.debug(0).hw_ptr_interrupt, 0n);
});

test('capture pointers wrap at the boundary and avail counts the captured frames across it', () => {
  const dev = session();
  prepared(dev, 1, 'CAPTURE', hw(1024, 4));
  dev.debugShift(1, B / BigInt(BS) - 1n);
  must(dev, { type: 'START', fd: 1 });
  advance(dev, 1, 3072);
  const got = must(dev, { type: 'READI', fd: 1, frames: 3072 });
  assert.equal(got.value, 3072n);
  advance(dev, 1, 2048); // hw_ptr crosses 2^62
  const st = status(dev, 1);
  assert.equal(st.hw_ptr, 1024n);
  assert.equal(st.appl_ptr, B - 1024n);
  assert.equal(st.avail, 2048n);
  assert.equal(must(dev, { type: 'READI', fd: 1, frames: 4096 }).value, 2048n);
  assert.equal(dev.debug(1).appl_ptr, 1024n);
});

test('REWIND below 0 wraps appl_ptr to boundary minus the rest, and FORWARD wraps it back to 0', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(1024, 4), { start_threshold: B });
  dev.debugShift(0, B / BigInt(BS) - 1n); // hw_ptr = appl_ptr = 2^62 − 4096
  assert.equal(write(dev, 0, 4096), 4096n);
  assert.equal(dev.debug(0).appl_ptr, 0n, 'appl_ptr + 4096 reached the boundary and wrapped');
  assert.equal(status(dev, 0).avail, 0n);
  assert.equal(must(dev, { type: 'REWIND', fd: 0, frames: 100n }).value, 100n);
  assert.equal(dev.debug(0).appl_ptr, B - 100n);
  assert.equal(status(dev, 0).avail, 100n);
  assert.equal(must(dev, { type: 'FORWARD', fd: 0, frames: 1000n }).value, 100n);
  assert.equal(dev.debug(0).appl_ptr, 0n);
});
