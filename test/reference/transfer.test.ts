import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advance, hw, must, prepared, refused, session, state, status, value, write } from './helpers.ts';

test('a transfer of 0 frames returns 0 even in SETUP, XRUN and SUSPENDED', () => {
  const dev = session();
  must(dev, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  refused(dev, { type: 'WRITEI', fd: 0, frames: 0 }, 'EBADFD', 'pcm.xfer.open');
  must(dev, { type: 'HW_PARAMS', fd: 0, params: hw() });
  assert.equal(write(dev, 0, 0), 0n);
  refused(dev, { type: 'WRITEI', fd: 0, frames: 1 }, 'EBADFD', 'pcm.xfer.state');
  must(dev, { type: 'PREPARE', fd: 0 });
  write(dev, 0, 64);
  must(dev, { type: 'XRUN', fd: 0 });
  assert.equal(write(dev, 0, 0), 0n);
  refused(dev, { type: 'WRITEI', fd: 0, frames: 1 }, 'EPIPE', 'pcm.xfer.state');
  must(dev, { type: 'PREPARE', fd: 0 });
  must(dev, { type: 'SUSPEND' });
  assert.equal(write(dev, 0, 0), 0n);
  refused(dev, { type: 'WRITEI', fd: 0, frames: 1 }, 'ESTRPIPE', 'pcm.xfer.state');
});

test('an interleaved transfer needs RW_INTERLEAVED unless the stream is mono', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4, { access: 'MMAP_INTERLEAVED' }));
  refused(dev, { type: 'WRITEI', fd: 0, frames: 1 }, 'EINVAL', 'pcm.xfer.access');
  const mono = session();
  prepared(mono, 0, 'PLAYBACK', hw(64, 4, { access: 'MMAP_NONINTERLEAVED', channels: 1 }));
  assert.equal(write(mono, 0, 10), 10n);
});

test('write(2) of a byte count that is not whole frames fails with EINVAL; whole frames return bytes', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  refused(dev, { type: 'WRITE', fd: 0, bytes: 6 }, 'EINVAL', 'pcm.xfer.unaligned');
  assert.equal(value(dev, { type: 'WRITE', fd: 0, bytes: 400 }), 400n);
  assert.equal(dev.debug(0).appl_ptr, 100n);
});

test('READI on a playback stream writes, as the stream direction decides', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { start_threshold: 1000n });
  assert.equal(value(dev, { type: 'READI', fd: 0, frames: 20 }), 20n);
  assert.equal(dev.debug(0).appl_ptr, 20n);
});

test('read(2) on a playback file and write(2) on a capture file fail with EINVAL before any state check', () => {
  const dev = session();
  must(dev, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  must(dev, { type: 'OPEN', fd: 1, stream: 'CAPTURE', nonblock: true });
  refused(dev, { type: 'READ', fd: 0, bytes: 4 }, 'EINVAL', 'pcm.xfer.direction');
  refused(dev, { type: 'WRITE', fd: 1, bytes: 4 }, 'EINVAL', 'pcm.xfer.direction');
  refused(dev, { type: 'READ', fd: 1, bytes: 4 }, 'EBADFD', 'pcm.xfer.open');
});

test('a nonblocking write returns the frames that fit, then EAGAIN', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { start_threshold: 1000n });
  assert.equal(write(dev, 0, 300), 256n);
  refused(dev, { type: 'WRITEI', fd: 0, frames: 1 }, 'EAGAIN', 'pcm.xfer.again');
});

test('a blocking write waits while the device plays, one period at a time, and completes', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), undefined, false);
  assert.equal(write(dev, 0, 1000), 1000n);
  const d = dev.debug(0);
  assert.equal(d.state, 'RUNNING');
  assert.equal(d.appl_ptr, 1000n);
  assert.equal(d.pos % 64, 0, 'the device ran whole periods');
  assert.ok(d.hw_ptr >= 1000n - 256n && d.hw_ptr <= 1000n);
});

test('a blocking write on a stream that does not run times out: the partial count, then EIO', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { start_threshold: 1000n }, false);
  assert.equal(write(dev, 0, 300), 256n);
  refused(dev, { type: 'WRITEI', fd: 0, frames: 1 }, 'EIO', 'pcm.xfer.wait');
  assert.equal(state(dev, 0), 'PREPARED');
});

test('a blocking write on a PAUSED stream waits until a signal: EINTR', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), undefined, false);
  write(dev, 0, 256);
  must(dev, { type: 'PAUSE', fd: 0, push: true });
  refused(dev, { type: 'WRITEI', fd: 0, frames: 10 }, 'EINTR', 'pcm.xfer.wait');
  assert.equal(state(dev, 0), 'PAUSED');
});

test('a blocking write that the device underruns while it waits returns EPIPE', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { stop_threshold: 64n }, false);
  write(dev, 0, 256); // running; avail 0 < 64
  refused(dev, { type: 'WRITEI', fd: 0, frames: 10 }, 'EPIPE', 'pcm.xfer.wait');
  assert.equal(state(dev, 0), 'XRUN', 'the first period played made avail reach the stop threshold');
});

test('a capture read of at least start_threshold frames starts the stream on entry', () => {
  const dev = session();
  prepared(dev, 1, 'CAPTURE', hw(64, 4), { start_threshold: 50n });
  refused(dev, { type: 'READI', fd: 1, frames: 49 }, 'EAGAIN', 'pcm.xfer.again');
  assert.equal(state(dev, 1), 'PREPARED');
  refused(dev, { type: 'READI', fd: 1, frames: 50 }, 'EAGAIN', 'pcm.xfer.again');
  assert.equal(state(dev, 1), 'RUNNING');
});

test('a blocking capture read waits for the device and returns the frames it asked for', () => {
  const dev = session();
  prepared(dev, 1, 'CAPTURE', hw(64, 4), undefined, false);
  const got = must(dev, { type: 'READI', fd: 1, frames: 100 });
  assert.equal(got.value, 100n);
  assert.equal(got.data!.length, 400);
  assert.equal(dev.debug(1).hw_ptr, 128n);
});

test('transfers before the first PREPARE obey the O_NONBLOCK of the open, not the file', () => {
  const dev = session();
  must(dev, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: false });
  assert.equal(dev.debug(0).f_nonblock, true);
  must(dev, { type: 'HW_PARAMS', fd: 0, params: hw() });
  must(dev, { type: 'PREPARE', fd: 0 });
  assert.equal(dev.debug(0).f_nonblock, false);
});

test('the pattern continues across writes: frame n of the file carries pattern frame n', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { start_threshold: 1000n });
  write(dev, 0, 10);
  write(dev, 0, 10);
  const twice = dev.debug(0).buffer.subarray(0, 80);
  const other = session();
  prepared(other, 0, 'PLAYBACK', hw(64, 4), { start_threshold: 1000n });
  write(other, 0, 20);
  assert.deepEqual(twice, other.debug(0).buffer.subarray(0, 80));
});

test('a playback transfer updates hw_ptr first when the stream runs', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  write(dev, 0, 256);
  advance(dev, 0, 10);
  assert.equal(write(dev, 0, 100), 10n, 'the 10 frames played since the interrupt made room');
  assert.equal(status(dev, 0).avail, 0n);
});
