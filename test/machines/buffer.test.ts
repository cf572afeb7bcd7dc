// The buffer machine and its allocator on their own, with answers worked out by hand from
// sound/core/pcm_memory.c and pcm_native.c.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HwCaps, MemoryInfo } from '../../spec/device.ts';
import { initialMemory, parseKib, procWrite, mallocPages, cloneMem } from '../../machines/buffer/index.ts';
import { BufferModel } from '../../conformance/buffer/model.ts';
import { config } from '../../conformance/buffer/vocabulary.ts';
import { DUMMY_CAPS } from '../../conformance/backends.ts';

const caps: Partial<Record<'PLAYBACK' | 'CAPTURE', HwCaps>> = { PLAYBACK: DUMMY_CAPS, CAPTURE: DUMMY_CAPS };
const KiB = 1024;
const model = (memory: MemoryInfo, kernel: '7.2' | '6.1' = '7.2') => new BufferModel({ dir: 'PLAYBACK', caps, memory, kernel });
const managed = (size: number, max: number, type: 'CONTINUOUS' | 'DEV' | 'VMALLOC' = 'CONTINUOUS') => ({ buffers: { PLAYBACK: { managed: true, type, size, max } } });
const open = { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true } as const;
const hw = (bytes: number) => ({ type: 'HW_PARAMS', fd: 0, params: config(bytes) }) as const;
const write = (text: string) => ({ type: 'PROC_WRITE', stream: 'PLAYBACK', file: 'prealloc', text }) as const;
const read = { type: 'PROC_READ', stream: 'PLAYBACK', file: 'prealloc' } as const;
const errno = (o: { ok: boolean; errno?: string }) => (o.ok ? 'ok' : o.errno);

test('a managed HW_PARAMS allocates before the driver hw_params, which learns buffer_changed; a smaller second one keeps the buffer', () => {
  const m = model(managed(0, 64 * KiB));
  m.step(open);
  const first = m.step(hw(9216));
  assert.deepEqual(first.calls, ['PLAYBACK core.malloc own 9216', 'PLAYBACK driver.hw_params changed=1']);
  assert.equal(first.context.mem.total, 12288, 'charged page-aligned');
  assert.equal(first.to, 'OWN');
  const second = m.step(hw(4096));
  assert.deepEqual(second.calls, ['PLAYBACK core.malloc reuse 4096', 'PLAYBACK driver.hw_params changed=0']);
  assert.equal(second.context.mem.total, 12288);
});

test('a legacy driver allocates inside its own hw_params and frees inside its hw_free', () => {
  const m = model({ buffers: { PLAYBACK: { managed: false, type: 'CONTINUOUS', size: 16 * KiB, max: 64 * KiB } } });
  m.step(open);
  assert.deepEqual(m.step(hw(16384)).calls, ['PLAYBACK driver.hw_params', 'PLAYBACK core.malloc prealloc 16384']);
  assert.deepEqual(m.step({ type: 'HW_FREE', fd: 0 }).calls, ['PLAYBACK driver.hw_free', 'PLAYBACK core.free prealloc']);
});

test('above the preallocated size HW_PARAMS is EINVAL and drops to OPEN, releasing the buffer it had', () => {
  const m = model(managed(32 * KiB, 64 * KiB, 'DEV'));
  m.step(open);
  m.step(hw(16384));
  const s = m.step(hw(65536));
  assert.equal(errno(s.outcome), 'EINVAL');
  assert.equal(s.to, 'OPEN');
  assert.deepEqual(s.calls, ['PLAYBACK driver.hw_free', 'PLAYBACK core.free prealloc']);
  assert.ok(s.rules.includes('buffer.managed.over-prealloc'));
});

test('past max_alloc_per_card HW_PARAMS is ENOMEM, and the too-small buffer it held is already gone', () => {
  const m = model({ ...managed(0, 64 * KiB), maxAllocPerCard: 60 * KiB });
  m.step(open);
  m.step(hw(32768));
  const s = m.step(hw(65536));
  assert.equal(errno(s.outcome), 'ENOMEM');
  assert.deepEqual(s.calls, ['PLAYBACK core.free own 32768', 'PLAYBACK core.malloc enomem 65536', 'PLAYBACK driver.hw_free']);
  assert.equal(s.context.mem.total, 0);
});

test('the card limit is checked against the size asked for, so the total can pass the limit by less than a page', () => {
  const mem = initialMemory({ ...managed(0, 64 * KiB), maxAllocPerCard: 10000 }, '7.2', { PLAYBACK: 65536 });
  const r = mallocPages(cloneMem(mem), 'PLAYBACK', null, 9216);
  assert.equal(r.result, 'own');
  assert.equal(r.buf?.bytes, 12288);
});

test('a preallocation that does not fit is halved down to 16 KiB: 64 KiB asked, 100 KiB of memory, capture gets 32', () => {
  const mem = initialMemory({ buffers: { PLAYBACK: { managed: true, type: 'DEV', size: 65536, max: 65536 }, CAPTURE: { managed: true, type: 'DEV', size: 65536, max: 65536 } }, budget: 100 * KiB }, '7.2', { PLAYBACK: 65536, CAPTURE: 65536 });
  assert.equal(mem.subs.PLAYBACK.preBytes, 65536);
  assert.equal(mem.subs.CAPTURE.preBytes, 32768);
  assert.equal(mem.subs.CAPTURE.bufferBytesMax, 32768);
});

test('writing 9 to prealloc allocates three pages (it reads 12) but limits HW_PARAMS to 9216 bytes', () => {
  const m = model(managed(0, 64 * KiB));
  m.step(write('9\n'));
  assert.equal(m.step(read).outcome.ok && (m.snapshot.context.last as { text: string }).text, '12\n');
  m.step(open);
  assert.equal(errno(m.step(hw(16384)).outcome), 'EINVAL');
  m.step(open);
  assert.equal(errno(m.step(hw(9216)).outcome), 'ok');
});

test('prealloc write errors are swallowed: while open, unparsable, too small, too big — write succeeds and nothing changes', () => {
  const m = model(managed(16 * KiB, 64 * KiB, 'DEV'));
  for (const t of ['abc', '4', '65', '', '16k']) {
    const s = m.step(write(t));
    assert.equal(errno(s.outcome), 'ok', t);
    assert.ok(s.rules.includes('buffer.proc.write-swallowed'), t);
    assert.equal(s.context.mem.subs.PLAYBACK.preBytes, 16384, t);
  }
  m.step(open);
  assert.ok(m.step(write('32')).rules.includes('buffer.proc.write-swallowed'));
});

test('6.1 reads the size with simple_strtoul(): `abc` is 0 and frees the preallocation, `16k` is 16', () => {
  assert.equal(parseKib('abc', '6.1'), 0n);
  assert.equal(parseKib('16k', '6.1'), 16n);
  assert.equal(parseKib('16k', '7.2'), 'EINVAL');
  assert.equal(parseKib(' "12" ', '7.2'), 12n);
  assert.equal(parseKib('+8\n', '7.2'), 8n);
  assert.equal(parseKib('99999999999999999999', '7.2'), 'ERANGE');
  const mem = initialMemory(managed(16 * KiB, 64 * KiB, 'DEV'), '6.1', { PLAYBACK: 65536 });
  assert.deepEqual(procWrite(mem, 'PLAYBACK', 'abc', false), { error: null, action: 'free', size: 0 });
  assert.equal(mem.total, 0);
});

test('a file closed while mapped is released at its last munmap: hw_free, then the buffer, then close', () => {
  const m = model(managed(0, 64 * KiB));
  m.step(open);
  m.step({ type: 'HW_PARAMS', fd: 0, params: config(16384, 'MMAP_INTERLEAVED') });
  m.step({ type: 'MMAP', fd: 0, area: 'DATA' });
  assert.equal(m.step({ type: 'CLOSE', fd: 0 }).to, 'HELD');
  const s = m.step({ type: 'MUNMAP', fd: 0, area: 'DATA' });
  assert.equal(s.to, 'CLOSED');
  assert.deepEqual(s.calls, ['PLAYBACK driver.hw_free', 'PLAYBACK core.free own 16384', 'PLAYBACK driver.close']);
});

test('a fixed buffer has no proc files, and its probe is told which kind of setup it was', () => {
  const m = model(managed(16 * KiB, 0, 'VMALLOC'));
  assert.ok(m.probe.rules.includes('buffer.prealloc.fixed'));
  assert.equal(errno(m.step(read).outcome), 'ENOENT');
  assert.ok(model(managed(0, 0)).probe.rules.includes('buffer.prealloc.on-demand'));
});
