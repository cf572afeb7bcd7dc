import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CAPS } from '../../reference/ring-core/index.ts';
import { hw, must, prepared, refused, session, state, status, value, write } from './helpers.ts';

const mmapHw = hw(64, 4, { access: 'MMAP_INTERLEAVED' });

test('a data mapping checks the protection first, then the state, then mmap support, then the access', () => {
  const dev = session();
  must(dev, { type: 'OPEN', fd: 1, stream: 'CAPTURE', nonblock: true });
  refused(dev, { type: 'MMAP', fd: 1, area: 'DATA', prot: 'W' }, 'EINVAL', 'pcm.mmap-data.prot');
  refused(dev, { type: 'MMAP', fd: 1, area: 'DATA', prot: 'R' }, 'EBADFD', 'pcm.mmap-data.open');
  must(dev, { type: 'HW_PARAMS', fd: 1, params: hw() });
  refused(dev, { type: 'MMAP', fd: 1, area: 'DATA' }, 'EINVAL', 'pcm.mmap-data.rw-access');
  const noMmap = session({ streams: { PLAYBACK: { ...DEFAULT_CAPS, info: ['INTERLEAVED'] } } });
  prepared(noMmap, 0, 'PLAYBACK', hw());
  refused(noMmap, { type: 'MMAP', fd: 0, area: 'DATA' }, 'ENXIO', 'pcm.mmap-data.no-mmap');
});

test('a data mapping may not exceed the page-aligned buffer', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', mmapHw); // 1024 bytes: one page
  refused(dev, { type: 'MMAP', fd: 0, area: 'DATA', bytes: 4097 }, 'EINVAL', 'pcm.mmap-data.size');
  refused(dev, { type: 'MMAP', fd: 0, area: 'DATA', bytes: 4096, offset: 4096 }, 'EINVAL', 'pcm.mmap-data.size');
  must(dev, { type: 'MMAP', fd: 0, area: 'DATA', bytes: 4096 });
  must(dev, { type: 'MMAP', fd: 0, area: 'DATA' });
  assert.equal(dev.debug(0).mmap_count, 2);
});

test('a data mapping blocks HW_PARAMS and HW_FREE until it is unmapped', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', mmapHw);
  must(dev, { type: 'MMAP', fd: 0, area: 'DATA' });
  refused(dev, { type: 'HW_PARAMS', fd: 0, params: mmapHw }, 'EBADFD', 'pcm.hw-params.mmapped');
  refused(dev, { type: 'HW_FREE', fd: 0 }, 'EBADFD', 'pcm.hw-free.mmapped');
  must(dev, { type: 'MUNMAP', fd: 0, area: 'DATA' });
  must(dev, { type: 'HW_FREE', fd: 0 });
});

test('closing a file with a live mapping holds the substream until the last unmap', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', mmapHw);
  must(dev, { type: 'MMAP', fd: 0, area: 'DATA' });
  must(dev, { type: 'MMAP', fd: 0, area: 'STATUS', prot: 'R' });
  must(dev, { type: 'CLOSE', fd: 0 });
  refused(dev, { type: 'OPEN', fd: 2, stream: 'PLAYBACK', nonblock: true }, 'EBUSY', 'pcm.open.busy');
  must(dev, { type: 'MUNMAP', fd: 0, area: 'DATA' });
  refused(dev, { type: 'OPEN', fd: 2, stream: 'PLAYBACK', nonblock: true }, 'EBUSY');
  must(dev, { type: 'MUNMAP', fd: 0, area: 'STATUS' });
  must(dev, { type: 'OPEN', fd: 2, stream: 'PLAYBACK', nonblock: true });
  assert.equal(state(dev, 2), 'OPEN');
});

test('status and control pages map in any state, read access and one page required', () => {
  const dev = session();
  must(dev, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  must(dev, { type: 'MMAP', fd: 0, area: 'STATUS', prot: 'R' });
  must(dev, { type: 'MMAP', fd: 0, area: 'CONTROL' });
  refused(dev, { type: 'MMAP', fd: 0, area: 'STATUS', bytes: 8192, prot: 'R' }, 'EINVAL', 'pcm.mmap-page.size');
  refused(dev, { type: 'MMAP', fd: 0, area: 'STATUS', prot: 'W' }, 'EINVAL', 'pcm.mmap-page.size');
  must(dev, { type: 'MMAP', fd: 0, area: 'STATUS', bytes: 56, prot: 'R' }); // mmap(2) rounds up to a page
  assert.equal(dev.debug(0).mmap_count, 0, 'status and control do not count');
});

test('EXPLICIT_SYNC refuses both pages; SYNC_APPLPTR refuses control, and status for old protocols', () => {
  const ex = session({ streams: { PLAYBACK: { ...DEFAULT_CAPS, info: [...DEFAULT_CAPS.info, 'EXPLICIT_SYNC'] } } });
  must(ex, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  refused(ex, { type: 'MMAP', fd: 0, area: 'STATUS', prot: 'R' }, 'ENXIO', 'pcm.mmap-control.refused');
  refused(ex, { type: 'MMAP', fd: 0, area: 'CONTROL' }, 'ENXIO', 'pcm.mmap-control.refused');
  const sa = session({ streams: { PLAYBACK: { ...DEFAULT_CAPS, info: [...DEFAULT_CAPS.info, 'SYNC_APPLPTR'] } } });
  must(sa, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  refused(sa, { type: 'MMAP', fd: 0, area: 'STATUS', prot: 'R' }, 'ENXIO');
  must(sa, { type: 'USER_PVERSION', fd: 0, version: 0x2000e });
  must(sa, { type: 'MMAP', fd: 0, area: 'STATUS', prot: 'R' });
  refused(sa, { type: 'MMAP', fd: 0, area: 'CONTROL' }, 'ENXIO');
});

test('a store through the control page sets appl_ptr unchecked; without a mapping it faults', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  refused(dev, { type: 'CONTROL_WRITE', fd: 0, appl_ptr: 5n }, 'EFAULT', 'harness.control-write.unmapped');
  must(dev, { type: 'MMAP', fd: 0, area: 'CONTROL' });
  must(dev, { type: 'CONTROL_WRITE', fd: 0, appl_ptr: 1n << 63n, avail_min: 0n });
  const peek = must(dev, { type: 'PEEK', fd: 0 }).peek!;
  assert.equal(peek.appl_ptr, 1n << 63n, 'beyond the boundary: no check');
  assert.equal(peek.avail_min, 0n);
});

test('PEEK shows the stored hw_ptr without updating it; POLL does not update either', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  write(dev, 0, 256);
  must(dev, { type: 'ADVANCE', fd: 0, frames: 100 });
  assert.equal(must(dev, { type: 'PEEK', fd: 0 }).peek?.hw_ptr, 64n);
  assert.equal(value(dev, { type: 'POLL', fd: 0 }), 0x104n, 'avail 64 ≥ avail_min 64');
  assert.equal(must(dev, { type: 'PEEK', fd: 0 }).peek?.hw_ptr, 64n);
  assert.equal(status(dev, 0).hw_ptr, 100n);
});
