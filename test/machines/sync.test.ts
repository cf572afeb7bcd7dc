// The sync machine on its own: what each view sees, worked out from memalloc.c's sync ops and
// pcm_local.h's gate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SyncModel } from '../../conformance/sync/model.ts';

const w = (type: 'CPU_WRITE' | 'DEVICE_WRITE', ofs = 0, len = 1024) => ({ type, ofs, len }) as const;
const devRead = (ofs = 0, len = 1024) => ({ type: 'DEVICE_READ', ofs, len, committed: true }) as const;
const cpuRead = (ofs = 0, len = 1024) => ({ type: 'CPU_READ', ofs, len }) as const;

test('on a playback buffer with EXPLICIT_SYNC, the device reads stale memory after a CPU store until a DEVICE sync', () => {
  const m = new SyncModel({ dir: 'TO_DEVICE', needSync: true, explicit: true });
  assert.equal(m.state, 'IN_SYNC');
  assert.equal(m.step(w('CPU_WRITE')).to, 'CPU_AHEAD');
  assert.equal(m.step(devRead()).context.lastRead?.stale, true);
  const s = m.step({ type: 'SYNC_DEVICE', site: 'xfer-write' });
  assert.equal(s.to, 'IN_SYNC');
  assert.equal(s.context.lastSync, 'applied');
  assert.ok(s.rules.includes('sync.xfer.write'));
  assert.equal(m.step(devRead()).context.lastRead?.stale, false);
});

test('a CPU sync of a playback buffer and a DEVICE sync of a capture buffer do nothing', () => {
  const p = new SyncModel({ dir: 'TO_DEVICE', needSync: true, explicit: true });
  p.step(w('CPU_WRITE'));
  const s = p.step({ type: 'SYNC_CPU', site: 'hwsync' });
  assert.equal(s.context.lastSync, 'direction');
  assert.equal(s.to, 'CPU_AHEAD');
  const c = new SyncModel({ dir: 'FROM_DEVICE', needSync: true, explicit: true });
  c.step(w('DEVICE_WRITE'));
  assert.equal(c.step({ type: 'SYNC_DEVICE', site: 'sync-ptr-appl' }).context.lastSync, 'direction');
});

test("a CPU sync of a capture buffer brings the device's bytes in and drops the CPU's own stores", () => {
  const c = new SyncModel({ dir: 'FROM_DEVICE', needSync: true, explicit: true });
  c.step(w('CPU_WRITE', 0, 4096)); // HW_PARAMS clears the CPU's view
  c.step(w('DEVICE_WRITE', 0, 1024));
  assert.equal(c.state, 'DEVICE_AHEAD');
  assert.equal(c.step(cpuRead()).context.lastRead?.stale, true);
  const s = c.step({ type: 'SYNC_CPU', site: 'xfer-read' });
  assert.equal(s.to, 'IN_SYNC');
  assert.deepEqual([s.context.cpuAhead, s.context.deviceAhead], [[], []]);
});

test('without EXPLICIT_SYNC a buffer that needs syncing is never synced: the gate stays closed', () => {
  const m = new SyncModel({ dir: 'TO_DEVICE', needSync: true, explicit: false });
  m.step(w('CPU_WRITE'));
  const s = m.step({ type: 'SYNC_DEVICE', site: 'xfer-write' });
  assert.equal(s.context.lastSync, 'gate');
  assert.equal(s.to, 'CPU_AHEAD');
});

test('a buffer without need_sync has one view: nothing is ever stale and every sync is gated', () => {
  const m = new SyncModel({ dir: 'TO_DEVICE', needSync: false, explicit: true });
  assert.equal(m.state, 'COHERENT');
  m.step(w('CPU_WRITE'));
  assert.equal(m.step(devRead()).context.lastRead?.stale, false);
  assert.equal(m.step({ type: 'SYNC_DEVICE', site: 'silence' }).context.lastSync, 'gate');
});
