import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SYNC_PTR_FLAG } from '../../spec/abi/ioctl.ts';
import { hw, must, prepared, session, sw, value } from './helpers.ts';

const swParams = (buffer: number, period: number) => ({ type: 'SW_PARAMS' as const, fd: 0, params: sw({ buffer, period }) });

test('the 64-bit boundary of a 4096-frame buffer is 2^62', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(1024, 4));
  assert.equal(value(dev, swParams(4096, 1024)), 1n << 62n);
});

test('the 64-bit boundary of a 6000-frame buffer is 6000 · 2^50', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(1500, 4));
  const b = value(dev, swParams(6000, 1500));
  assert.equal(b, 6000n << 50n);
  assert.ok(b * 2n > (1n << 63n) - 1n - 6000n, 'doubling once more would pass LONG_MAX − buffer_size');
});

test('a compat SYNC_PTR reports pointers modulo 2^30 for a 4096-frame buffer', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(1024, 4));
  dev.debugShift(0, (1n << 30n) / 4096n + 3n); // hw_ptr = appl_ptr = 2^30 + 3 · 4096
  const flags = SYNC_PTR_FLAG.APPL | SYNC_PTR_FLAG.AVAIL_MIN;
  const compat = must(dev, { type: 'SYNC_PTR', fd: 0, flags, appl_ptr: 0n, avail_min: 0n, compat32: true }).sync!;
  const native = must(dev, { type: 'SYNC_PTR', fd: 0, flags, appl_ptr: 0n, avail_min: 0n, compat32: false }).sync!;
  assert.equal(native.hw_ptr, (1n << 30n) + 3n * 4096n);
  assert.equal(compat.hw_ptr, 3n * 4096n);
  assert.equal(compat.appl_ptr, 3n * 4096n);
});

test('a compat SYNC_PTR on a fresh file uses 0x7fffffff as the boundary', () => {
  const dev = session();
  must(dev, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  const flags = SYNC_PTR_FLAG.APPL | SYNC_PTR_FLAG.AVAIL_MIN;
  const r = must(dev, { type: 'SYNC_PTR', fd: 0, flags, appl_ptr: 0n, avail_min: 0n, compat32: true }).sync!;
  assert.equal(r.hw_ptr, 0n);
  assert.equal(r.state, 'OPEN');
});

test('HW_FREE keeps the boundary: after it, SYNC_PTR can set appl_ptr below the stale boundary', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(1024, 4));
  must(dev, { type: 'HW_FREE', fd: 0 });
  const r = must(dev, { type: 'SYNC_PTR', fd: 0, flags: 0, appl_ptr: 12345n, avail_min: 1n, compat32: false }).sync!;
  assert.equal(r.appl_ptr, 12345n);
  assert.equal(dev.debug(0).boundary, 1n << 62n);
});

test('on a fresh file the boundary is 0, so SYNC_PTR refuses any appl_ptr but 0', () => {
  const dev = session();
  must(dev, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  const r = dev.exec({ type: 'SYNC_PTR', fd: 0, flags: 0, appl_ptr: 1n, avail_min: 1n, compat32: false });
  assert.deepEqual(r, { ok: false, errno: 'EINVAL', rule: 'pcm.sync-ptr.appl-invalid' });
  must(dev, { type: 'SYNC_PTR', fd: 0, flags: 0, appl_ptr: 0n, avail_min: 1n, compat32: false });
});
