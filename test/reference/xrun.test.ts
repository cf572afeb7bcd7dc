import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advance, hw, must, prepared, refused, session, state, status, write } from './helpers.ts';

test('a playback underrun stops the stream in XRUN at the period interrupt that empties it', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  write(dev, 0, 128); // starts at the default threshold of 1
  assert.equal(advance(dev, 0, 64), 64n);
  assert.equal(state(dev, 0), 'RUNNING');
  assert.equal(advance(dev, 0, 200), 64n, 'the device stops with the stream: 64 of 200 frames ran');
  assert.equal(state(dev, 0), 'XRUN');
  assert.equal(dev.debug(0).hw_ptr, 128n);
  assert.equal(advance(dev, 0, 64), 0n);
});

test('a capture overrun stops the stream in XRUN when avail reaches the stop threshold', () => {
  const dev = session();
  prepared(dev, 1, 'CAPTURE', hw(64, 4));
  must(dev, { type: 'START', fd: 1 });
  assert.equal(advance(dev, 1, 192), 192n);
  assert.equal(state(dev, 1), 'RUNNING');
  assert.equal(advance(dev, 1, 100), 64n);
  assert.equal(state(dev, 1), 'XRUN');
  assert.equal(status(dev, 1).avail, 256n);
});

test('a stop threshold at the boundary lets playback run dry without an xrun', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { stop_threshold: 1n << 62n });
  write(dev, 0, 64);
  assert.equal(advance(dev, 0, 1024), 1024n);
  const st = status(dev, 0);
  assert.equal(st.state, 'RUNNING');
  assert.equal(st.avail, 256n + 1024n - 64n, 'avail exceeds the buffer: the hardware played past the application');
});

test('an xrun between period boundaries is found by the next update, not before', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { stop_threshold: 100n });
  write(dev, 0, 256);
  advance(dev, 0, 100); // the interrupt at 64 leaves avail at 64; the position reaches 100
  assert.equal(state(dev, 0), 'RUNNING');
  assert.equal(must(dev, { type: 'PEEK', fd: 0 }).peek?.hw_ptr, 64n, 'hw_ptr is lazy between interrupts');
  refused(dev, { type: 'HWSYNC', fd: 0 }, 'EPIPE', 'ring.update.state');
  assert.equal(state(dev, 0), 'XRUN');
});

test('DEVICE_XRUN stops a running stream and leaves a prepared one alone', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  must(dev, { type: 'DEVICE_XRUN', fd: 0 });
  assert.equal(state(dev, 0), 'PREPARED');
  write(dev, 0, 64);
  must(dev, { type: 'DEVICE_XRUN', fd: 0 });
  assert.equal(state(dev, 0), 'XRUN');
});

test('the XRUN ioctl forces RUNNING into XRUN, accepts XRUN and refuses DRAINING', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  refused(dev, { type: 'XRUN', fd: 0 }, 'EBADFD', 'pcm.xrun.bad-state');
  write(dev, 0, 64);
  must(dev, { type: 'XRUN', fd: 0 });
  assert.equal(state(dev, 0), 'XRUN');
  must(dev, { type: 'XRUN', fd: 0 });
  must(dev, { type: 'PREPARE', fd: 0 });
  write(dev, 0, 64);
  refused(dev, { type: 'DRAIN', fd: 0 }, 'EAGAIN', 'pcm.drain.nonblock');
  assert.equal(state(dev, 0), 'DRAINING');
  refused(dev, { type: 'XRUN', fd: 0 }, 'EBADFD', 'pcm.xrun.bad-state');
});

test('a transfer that leaves avail at the stop threshold sends even a PREPARED playback stream to XRUN', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { start_threshold: 1000n, stop_threshold: 200n });
  write(dev, 0, 10); // avail 246 ≥ 200
  assert.equal(state(dev, 0), 'XRUN');
});

test('a transfer that ends in EAGAIN skips the final update, so a zero stop threshold does not fire', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { start_threshold: 1000n, stop_threshold: 0n });
  assert.equal(write(dev, 0, 300), 256n, 'EAGAIN after 256 frames: the partial count');
  assert.equal(state(dev, 0), 'PREPARED');
  const other = session();
  prepared(other, 0, 'PLAYBACK', hw(64, 4), { start_threshold: 1000n, stop_threshold: 0n });
  assert.equal(write(other, 0, 256), 256n, 'no EAGAIN: the update runs');
  assert.equal(state(other, 0), 'XRUN');
});

test('a transfer whose entry update finds an xrun fails with EPIPE', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { stop_threshold: 100n });
  write(dev, 0, 256);
  advance(dev, 0, 100);
  refused(dev, { type: 'WRITEI', fd: 0, frames: 10 }, 'EPIPE', 'pcm.xfer.ok');
  assert.equal(state(dev, 0), 'XRUN');
  refused(dev, { type: 'WRITEI', fd: 0, frames: 10 }, 'EPIPE', 'pcm.xfer.state');
});
