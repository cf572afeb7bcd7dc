import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillPattern } from '../../spec/device.ts';
import { advance, hw, must, prepared, refused, session, state, status, write } from './helpers.ts';

const blocking = (dev: ReturnType<typeof session>, fd: number, stream: 'PLAYBACK' | 'CAPTURE', swp?: object) =>
  prepared(dev, fd, stream, hw(64, 4), swp, false);

test('a blocking DRAIN ends on the first period boundary at or past appl_ptr, in SETUP', () => {
  const dev = session();
  blocking(dev, 0, 'PLAYBACK');
  write(dev, 0, 100);
  must(dev, { type: 'DRAIN', fd: 0 });
  const d = dev.debug(0);
  assert.equal(d.state, 'SETUP');
  assert.equal(d.hw_ptr, 128n);
  assert.equal(d.appl_ptr, 100n);
  assert.equal(d.pos, 128, 'the device stopped with the stream');
  assert.equal(dev.takeSink().length, 128 * 4, 'it played 128 frames: the 100 written and 28 of old buffer');
});

test('a blocking DRAIN of a PREPARED stream starts it directly in DRAINING, below its start threshold', () => {
  const dev = session();
  blocking(dev, 0, 'PLAYBACK', { start_threshold: 10_000n });
  write(dev, 0, 200);
  assert.equal(state(dev, 0), 'PREPARED');
  must(dev, { type: 'DRAIN', fd: 0 });
  assert.equal(state(dev, 0), 'SETUP');
  const played = dev.takeSink().subarray(0, 200 * 4);
  const expected = new Uint8Array(200 * 4);
  fillPattern(expected, 0, 4);
  assert.deepEqual(played, expected);
});

test('DRAIN of an empty PREPARED playback stream goes to SETUP and returns at once', () => {
  const dev = session();
  blocking(dev, 0, 'PLAYBACK');
  must(dev, { type: 'DRAIN', fd: 0 });
  assert.equal(state(dev, 0), 'SETUP');
  assert.equal(dev.debug(0).pos, 0);
});

test('a nonblocking DRAIN returns EAGAIN with the stream DRAINING; the device finishes it', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  write(dev, 0, 100);
  refused(dev, { type: 'DRAIN', fd: 0 }, 'EAGAIN', 'pcm.drain.nonblock');
  assert.equal(state(dev, 0), 'DRAINING');
  assert.equal(must(dev, { type: 'POLL', fd: 0 }).value, 0n, 'a draining playback stream never polls ready');
  assert.equal(advance(dev, 0, 1000), 128n);
  assert.equal(state(dev, 0), 'SETUP');
});

test('DRAIN on capture stops a running stream in DRAINING, after which reads fail with EBADFD', () => {
  const dev = session();
  prepared(dev, 1, 'CAPTURE', hw(64, 4));
  must(dev, { type: 'START', fd: 1 });
  advance(dev, 1, 64);
  refused(dev, { type: 'DRAIN', fd: 1 }, 'EAGAIN');
  assert.equal(state(dev, 1), 'DRAINING');
  assert.equal(advance(dev, 1, 64), 0n, 'a draining capture stream does not run');
  refused(dev, { type: 'READI', fd: 1, frames: 64 }, 'EBADFD', 'pcm.xfer.state');
  assert.equal(must(dev, { type: 'POLL', fd: 1 }).value, 0x41n, 'ready: frames are left');
});

test('DRAIN on a running capture stream with nothing captured goes straight to SETUP', () => {
  const dev = session();
  prepared(dev, 1, 'CAPTURE', hw(64, 4));
  must(dev, { type: 'START', fd: 1 });
  refused(dev, { type: 'DRAIN', fd: 1 }, 'EAGAIN');
  assert.equal(state(dev, 1), 'SETUP');
});

test('the end of a drain stops the drained stream alone, not its group', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  prepared(dev, 1, 'CAPTURE', hw(64, 4));
  must(dev, { type: 'LINK', fd: 0, other: 1 });
  write(dev, 0, 128); // starts the group
  assert.equal(state(dev, 1), 'RUNNING');
  advance(dev, 1, 64); // capture holds 64 unread frames
  refused(dev, { type: 'DRAIN', fd: 0 }, 'EAGAIN', 'pcm.drain.nonblock');
  assert.equal(state(dev, 0), 'DRAINING');
  assert.equal(state(dev, 1), 'DRAINING', 'capture stopped with frames left');
  advance(dev, 0, 1000);
  assert.equal(state(dev, 0), 'SETUP');
  assert.equal(state(dev, 1), 'DRAINING', 'snd_pcm_drain_done() acts on one stream');
});

test('a blocking DRAIN runs only the draining members: a linked capture stream does not move', () => {
  const dev = session();
  blocking(dev, 0, 'PLAYBACK');
  blocking(dev, 1, 'CAPTURE');
  must(dev, { type: 'LINK', fd: 0, other: 1 });
  write(dev, 0, 128);
  advance(dev, 1, 70); // one capture interrupt: 64 frames to read
  must(dev, { type: 'DRAIN', fd: 0 });
  assert.equal(state(dev, 0), 'SETUP');
  assert.equal(state(dev, 1), 'DRAINING');
  assert.equal(dev.debug(1).pos, 70);
});

test('DRAIN in SUSPENDED fails with EBADFD and changes nothing', () => {
  const dev = session();
  blocking(dev, 0, 'PLAYBACK');
  write(dev, 0, 64);
  must(dev, { type: 'SUSPEND' });
  refused(dev, { type: 'DRAIN', fd: 0 }, 'EBADFD', 'pcm.drain.suspended');
  assert.equal(state(dev, 0), 'SUSPENDED');
});

test('DRAIN of a PAUSED playback stream releases the pause, then drains', () => {
  const dev = session();
  blocking(dev, 0, 'PLAYBACK');
  write(dev, 0, 64);
  must(dev, { type: 'PAUSE', fd: 0, push: true });
  must(dev, { type: 'DRAIN', fd: 0 });
  assert.equal(state(dev, 0), 'SETUP');
  assert.equal(status(dev, 0).hw_ptr, 64n);
});
