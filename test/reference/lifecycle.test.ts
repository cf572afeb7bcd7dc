import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CAPS } from '../../reference/ring-core/index.ts';
import { advance, hw, must, prepared, refused, session, state, status, value, write } from './helpers.ts';

test('the session describes itself honestly', () => {
  const dev = session({ follows: '6.1', loopback: true });
  assert.equal(dev.info.backend, 'ring-core');
  assert.equal(dev.info.kernel, null);
  assert.equal(dev.info.virtualClock, true);
  assert.equal(dev.info.follows, '6.1');
  assert.equal(dev.info.loopback, true);
  assert.deepEqual(dev.info.streams.PLAYBACK, DEFAULT_CAPS);
});

test('PVERSION answers 2.0.18 following 7.2 and 2.0.15 following 6.1', () => {
  const a = session();
  must(a, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  assert.equal(value(a, { type: 'PVERSION', fd: 0 }), 0x20012n);
  const b = session({ follows: '6.1' });
  must(b, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  assert.equal(value(b, { type: 'PVERSION', fd: 0 }), 0x2000fn);
});

test('a held substream cannot be opened again, a missing direction has no node', () => {
  const dev = session({ streams: { CAPTURE: null } });
  must(dev, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  refused(dev, { type: 'OPEN', fd: 1, stream: 'PLAYBACK', nonblock: true }, 'EBUSY', 'pcm.open.busy');
  refused(dev, { type: 'OPEN', fd: 1, stream: 'CAPTURE', nonblock: true }, 'ENOENT', 'pcm.open.no-device');
  must(dev, { type: 'CLOSE', fd: 0 });
  must(dev, { type: 'OPEN', fd: 1, stream: 'PLAYBACK', nonblock: true });
  assert.equal(dev.debug(1).state, 'OPEN');
  assert.equal(dev.debug(1).appl_ptr, 0n, 'a fresh, zeroed runtime');
});

test('a command on a descriptor that is not open fails with EBADF; PEEK answers null', () => {
  const dev = session();
  assert.deepEqual(dev.exec({ type: 'STATUS', fd: 3, ext: false }), { ok: false, errno: 'EBADF', rule: 'pcm.file.not-open' });
  assert.deepEqual(dev.exec({ type: 'PEEK', fd: 3 }), { ok: true, peek: null });
});

test('after a disconnect every call fails with ENODEV but close; poll reports EPOLLERR|EPOLLNVAL', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  write(dev, 0, 64);
  must(dev, { type: 'DISCONNECT' });
  refused(dev, { type: 'STATUS', fd: 0, ext: false }, 'ENODEV', 'device.disconnect.enodev');
  refused(dev, { type: 'WRITE', fd: 0, bytes: 4 }, 'ENODEV', 'device.disconnect.enodev');
  refused(dev, { type: 'MMAP', fd: 0, area: 'STATUS', prot: 'R' }, 'ENODEV', 'device.disconnect.enodev');
  assert.equal(value(dev, { type: 'POLL', fd: 0 }), 0x28n);
  assert.equal(must(dev, { type: 'PEEK', fd: 0 }).peek?.state, 'DISCONNECTED');
  assert.equal(advance(dev, 0, 64), 0n);
  refused(dev, { type: 'OPEN', fd: 1, stream: 'CAPTURE', nonblock: true }, 'ENOENT', 'device.disconnect.enodev');
  must(dev, { type: 'CLOSE', fd: 0 });
});

test('a failed HW_PARAMS in PREPARED drops the stream to OPEN and keeps the old geometry', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  refused(dev, { type: 'HW_PARAMS', fd: 0, params: hw(64, 4, { rate: 7999 }) }, 'EINVAL', 'pcm.hw-params.invalid');
  const d = dev.debug(0);
  assert.equal(d.state, 'OPEN');
  assert.equal(d.buffer_size, 256);
  assert.equal(d.boundary, 1n << 62n);
  refused(dev, { type: 'HW_REFINE', fd: 0, params: hw(64, 4, { channels: 9 }) }, 'EINVAL', 'pcm.hw-refine.invalid');
  assert.equal(must(dev, { type: 'HW_REFINE', fd: 0, params: hw(64, 4) }).hw?.buffer_size, 256);
  assert.equal(state(dev, 0), 'OPEN', 'a refine changes nothing');
});

test('HW_PARAMS checks period and buffer bytes against the driver limits', () => {
  const dev = session();
  must(dev, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  refused(dev, { type: 'HW_PARAMS', fd: 0, params: hw(8, 4) }, 'EINVAL'); // 32-byte periods < 64
  refused(dev, { type: 'HW_PARAMS', fd: 0, params: hw(262144, 1) }, 'EINVAL'); // 1 MiB periods > 512 KiB
  refused(dev, { type: 'HW_PARAMS', fd: 0, params: hw(131072, 3) }, 'EINVAL'); // a 1.5 MiB buffer
  refused(dev, { type: 'HW_PARAMS', fd: 0, params: hw(64, 1025) }, 'EINVAL');
  refused(dev, { type: 'HW_PARAMS', fd: 0, params: hw(64, 4, { format: 'S24_3LE' }) }, 'EINVAL');
  must(dev, { type: 'HW_PARAMS', fd: 0, params: hw(131072, 2) }); // 512 KiB periods, 1 MiB buffer
});

test('PAUSE reads runtime->info: ENOSYS on a fresh file, EBADFD in OPEN after HW_FREE', () => {
  const dev = session();
  must(dev, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  refused(dev, { type: 'PAUSE', fd: 0, push: true }, 'ENOSYS', 'pcm.pause.no-support');
  must(dev, { type: 'HW_PARAMS', fd: 0, params: hw() });
  must(dev, { type: 'HW_FREE', fd: 0 });
  refused(dev, { type: 'PAUSE', fd: 0, push: true }, 'EBADFD', 'pcm.pause.bad-state');
});

test('a device without INFO_PAUSE answers ENOSYS to PAUSE in every state', () => {
  const dev = session({ streams: { PLAYBACK: { ...DEFAULT_CAPS, info: ['MMAP', 'MMAP_VALID', 'INTERLEAVED'] } } });
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  write(dev, 0, 64);
  refused(dev, { type: 'PAUSE', fd: 0, push: true }, 'ENOSYS', 'pcm.pause.no-support');
  refused(dev, { type: 'PAUSE', fd: 0, push: false }, 'ENOSYS', 'pcm.pause.no-support');
});

test('a paused stream keeps its device position and moves on from it after the release', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  write(dev, 0, 256);
  advance(dev, 0, 100);
  must(dev, { type: 'PAUSE', fd: 0, push: true });
  assert.equal(advance(dev, 0, 50), 0n);
  assert.equal(dev.debug(0).hw_ptr, 64n, '7.2 does not update hw_ptr on a push');
  must(dev, { type: 'PAUSE', fd: 0, push: false });
  advance(dev, 0, 28);
  assert.equal(dev.debug(0).hw_ptr, 128n, 'the interrupt at 128 came after 28 more frames');
});

test('on 6.1 PAUSE push updates hw_ptr from the driver first', () => {
  const dev = session({ follows: '6.1' });
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  write(dev, 0, 256);
  advance(dev, 0, 100);
  must(dev, { type: 'PAUSE', fd: 0, push: true });
  assert.equal(dev.debug(0).hw_ptr, 100n);
  assert.equal(state(dev, 0), 'PAUSED');
});

test('on 6.1 an xrun found by the PAUSE push update still ends in PAUSED', () => {
  const dev = session({ follows: '6.1' });
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { stop_threshold: 100n });
  write(dev, 0, 256);
  advance(dev, 0, 100);
  must(dev, { type: 'PAUSE', fd: 0, push: true });
  assert.equal(state(dev, 0), 'PAUSED');
});

test('RESUME returns to the suspended state; without INFO_RESUME it fails and PREPARE recovers', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  write(dev, 0, 256);
  advance(dev, 0, 30);
  must(dev, { type: 'SUSPEND' });
  assert.equal(status(dev, 0).suspended_state, 'RUNNING');
  assert.equal(advance(dev, 0, 10), 0n);
  must(dev, { type: 'RESUME', fd: 0 });
  assert.equal(state(dev, 0), 'RUNNING');
  assert.equal(dev.debug(0).pos, 30, 'the position survived the suspend');
  refused(dev, { type: 'RESUME', fd: 0 }, 'EBADFD', 'pcm.resume.not-suspended');

  const noResume = session({ streams: { PLAYBACK: { ...DEFAULT_CAPS, info: ['MMAP', 'INTERLEAVED', 'PAUSE'] } } });
  prepared(noResume, 0, 'PLAYBACK', hw(64, 4));
  must(noResume, { type: 'SUSPEND' });
  refused(noResume, { type: 'RESUME', fd: 0 }, 'ENOSYS', 'pcm.resume.no-support');
  must(noResume, { type: 'PREPARE', fd: 0 });
  assert.equal(state(noResume, 0), 'PREPARED');
  assert.equal(noResume.debug(0).suspended_state, 'PREPARED', 'only the next suspend changes it');
});

test('RESET of a running stream keeps hw_ptr modulo the buffer and empties the queue', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { stop_threshold: 1n << 62n });
  write(dev, 0, 256);
  advance(dev, 0, 300); // position 44, hw_ptr 256 at the last interrupt; the reset updates to 300
  must(dev, { type: 'RESET', fd: 0 });
  const d = dev.debug(0);
  assert.equal(d.hw_ptr, 300n % 256n);
  assert.equal(d.appl_ptr, d.hw_ptr);
  assert.equal(d.hw_ptr_base, 0n);
  assert.equal(d.hw_ptr_interrupt, 0n);
});

test('REWIND answers 0 where NO_REWINDS refuses the pointer, FORWARD answers the error', () => {
  const dev = session({ streams: { PLAYBACK: { ...DEFAULT_CAPS, info: [...DEFAULT_CAPS.info, 'NO_REWINDS'] } } });
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { start_threshold: 1000n });
  write(dev, 0, 100);
  assert.equal(value(dev, { type: 'REWIND', fd: 0, frames: 10n }), 0n);
  assert.equal(dev.debug(0).appl_ptr, 100n);
  assert.equal(value(dev, { type: 'FORWARD', fd: 0, frames: 100n }), 100n);
  refused(dev, { type: 'SYNC_PTR', fd: 0, flags: 0, appl_ptr: 500n, avail_min: 1n, compat32: false }, 'EINVAL', 'pcm.sync-ptr.appl-invalid');
});
