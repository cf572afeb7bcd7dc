// The ring core's buffer allocator, callback recorder and two-view buffers, against answers worked
// out by hand from sound/core/pcm_memory.c, memalloc.c and pcm_native.c.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MEMORY_PROFILES } from '../../conformance/backends.ts';
import { POISON } from '../../reference/ring-core/index.ts';
import { hw, must, refused, run, session } from './helpers.ts';

const KiB = 1024;
const profile = (name: keyof typeof MEMORY_PROFILES) => session({ ...(MEMORY_PROFILES[name] as object), trace: true });
const open = { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true } as const;
const text = (dev: ReturnType<typeof session>, file: 'prealloc' | 'prealloc_max' = 'prealloc') =>
  must(dev, { type: 'PROC_READ', stream: 'PLAYBACK', file }).text;

test('snd-dummy with fake_buffer=0 preallocates nothing, shows 0 and 64 KiB in its proc files, and charges each own buffer to the card', () => {
  const dev = profile('dummy');
  assert.equal(text(dev), '0\n');
  assert.equal(text(dev, 'prealloc_max'), '64\n');
  must(dev, open);
  must(dev, { type: 'HW_PARAMS', fd: 0, params: hw(576, 4) }); // 9216 bytes
  assert.equal(dev.memory().total, 12288);
  assert.deepEqual(dev.takeCalls(), ['PLAYBACK driver.open', 'PLAYBACK core.malloc own 9216', 'PLAYBACK driver.hw_params changed=1']);
  must(dev, { type: 'HW_FREE', fd: 0 });
  assert.deepEqual(dev.takeCalls(), ['PLAYBACK driver.hw_free', 'PLAYBACK core.free own 12288']);
  assert.equal(dev.memory().total, 0);
});

test('HW_PARAMS past the card limit is ENOMEM and leaves the stream in OPEN with no buffer', () => {
  const dev = profile('dummy'); // 60 KiB limit
  must(dev, open);
  refused(dev, { type: 'HW_PARAMS', fd: 0, params: hw(4096, 4) }, 'ENOMEM', 'buffer.hw-params.enomem');
  assert.equal(dev.debug(0).state, 'OPEN');
  assert.equal(dev.memory().subs.PLAYBACK?.runtime_bytes, null);
});

test('HW_PARAMS above the preallocation is EINVAL, and HW_REFINE says so too', () => {
  const dev = profile('prealloc'); // 32 KiB preallocated
  must(dev, open);
  refused(dev, { type: 'HW_REFINE', fd: 0, params: hw(4096, 4) }, 'EINVAL', 'buffer.managed.over-prealloc');
  refused(dev, { type: 'HW_PARAMS', fd: 0, params: hw(4096, 4) }, 'EINVAL', 'buffer.managed.over-prealloc');
  must(dev, { type: 'HW_PARAMS', fd: 0, params: hw(2048, 4) });
  assert.equal(dev.memory().subs.PLAYBACK?.runtime_prealloc, true);
});

test('the probe halves a preallocation that does not fit: 64 KiB asked twice, 100 KiB of memory', () => {
  const dev = profile('fallback');
  assert.equal(must(dev, { type: 'PROC_READ', stream: 'PLAYBACK', file: 'prealloc' }).text, '64\n');
  assert.equal(must(dev, { type: 'PROC_READ', stream: 'CAPTURE', file: 'prealloc' }).text, '32\n');
  assert.equal(dev.memory().total, 96 * KiB);
});

test('a prealloc write succeeds whatever happens; only reading the file back shows what did', () => {
  const dev = profile('prealloc');
  assert.equal(must(dev, { type: 'PROC_WRITE', stream: 'PLAYBACK', file: 'prealloc', text: '9\n' }).value, 2n);
  assert.equal(text(dev), '12\n');
  assert.equal(dev.memory().subs.PLAYBACK?.buffer_bytes_max, 9216);
  must(dev, { type: 'PROC_WRITE', stream: 'PLAYBACK', file: 'prealloc', text: '65' }); // > max: EINVAL, swallowed
  assert.equal(text(dev), '12\n');
  must(dev, open);
  must(dev, { type: 'PROC_WRITE', stream: 'PLAYBACK', file: 'prealloc', text: '0' }); // open: EBUSY, swallowed
  assert.equal(text(dev), '12\n');
  refused(dev, { type: 'PROC_WRITE', stream: 'PLAYBACK', file: 'prealloc_max', text: '0' }, 'EIO');
  refused(session(), { type: 'PROC_READ', stream: 'PLAYBACK', file: 'prealloc' }, 'ENOENT', 'buffer.proc.files');
});

test('a managed NONCOHERENT buffer is opened with EXPLICIT_SYNC when preallocated, and without when allocated on demand', () => {
  const pre = profile('noncoherent');
  must(pre, open);
  refused(pre, { type: 'MMAP', fd: 0, area: 'STATUS', prot: 'R' }, 'ENXIO');
  const lazy = profile('noncoherent-on-demand');
  must(lazy, open);
  must(lazy, { type: 'MMAP', fd: 0, area: 'STATUS', prot: 'R' });
  must(lazy, { type: 'HW_PARAMS', fd: 0, params: hw(256, 4) });
  const v = lazy.views('PLAYBACK')!;
  assert.equal(v.needSync, true);
  assert.equal(v.explicitSync, false);
});

test("on a two-view playback buffer a write reaches the device's view through the DEVICE sync; without EXPLICIT_SYNC it never does", () => {
  for (const [name, synced] of [['noncoherent', true], ['noncoherent-on-demand', false]] as const) {
    const dev = profile(name);
    must(dev, open);
    must(dev, { type: 'HW_PARAMS', fd: 0, params: hw(256, 4) });
    must(dev, { type: 'PREPARE', fd: 0 });
    const data = new Uint8Array(1024).fill(7);
    must(dev, { type: 'WRITEI', fd: 0, frames: 256, data });
    const v = dev.views('PLAYBACK')!;
    assert.equal(v.cpu[0], 7);
    assert.equal(v.dev[0], synced ? 7 : POISON, name);
    const syncs = dev.takeDma('PLAYBACK').filter((e) => e.kind === 'SYNC');
    assert.deepEqual(syncs, [{ kind: 'SYNC', mode: 'DEVICE', site: 'xfer-write', effect: synced ? 'applied' : 'gate' }], name);
  }
});

test('HWSYNC makes its CPU sync even when it fails, and SYNC_PTR makes its DEVICE sync only when it sets appl_ptr', () => {
  const dev = profile('noncoherent');
  must(dev, open);
  must(dev, { type: 'HW_PARAMS', fd: 0, params: hw(256, 4) });
  dev.takeDma('PLAYBACK');
  refused(dev, { type: 'HWSYNC', fd: 0 }, 'EBADFD');
  must(dev, { type: 'SYNC_PTR', fd: 0, flags: 2, appl_ptr: 0n, avail_min: 1n, compat32: false });
  refused(dev, { type: 'SYNC_PTR', fd: 0, flags: 4, appl_ptr: 1n << 62n, avail_min: 1n, compat32: false }, 'EINVAL');
  must(dev, { type: 'SYNC_PTR', fd: 0, flags: 4, appl_ptr: 0n, avail_min: 1n, compat32: false });
  const syncs = dev.takeDma('PLAYBACK').filter((e) => e.kind === 'SYNC').map((e) => (e.kind === 'SYNC' ? `${e.mode}@${e.site}:${e.effect}` : ''));
  assert.deepEqual(syncs, ['CPU@hwsync:direction', 'DEVICE@sync-ptr-appl:applied']);
  assert.equal(run(dev, { type: 'CLOSE', fd: 0 }).ok, true);
});
