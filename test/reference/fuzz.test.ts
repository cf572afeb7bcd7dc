// Random command sequences: the core never throws on well-formed commands, answers every refusal
// with a rule of the spec, keeps its own invariants, and is deterministic (a sequence replays to
// the same outcomes). fast-check prints the seed and path of any failure for a one-line replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Command, HwConfig } from '../../spec/device.ts';
import { RULE_IDS } from '../../spec/rules.generated.ts';
import { hw, session, show } from './helpers.ts';

const fd = fc.integer({ min: 0, max: 2 });
const frames = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(64, 256, 1000));
const ptr = fc.oneof(fc.bigInt({ min: 0n, max: 600n }), fc.constantFrom((1n << 62n) - 1n, 1n << 62n, (1n << 64n) - 1n));
const params: fc.Arbitrary<HwConfig> = fc.constantFrom(
  hw(64, 4),
  hw(32, 3),
  hw(64, 4, { access: 'MMAP_INTERLEAVED' }),
  hw(16, 2, { access: 'RW_NONINTERLEAVED', format: 'U8' }),
  hw(64, 4, { channels: 9 }),
);

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ type: fc.constant('OPEN' as const), fd, stream: fc.constantFrom('PLAYBACK' as const, 'CAPTURE' as const), nonblock: fc.boolean() }),
  fc.record({ type: fc.constant('CLOSE' as const), fd }),
  fc.record({ type: fc.constant('HW_PARAMS' as const), fd, params }),
  fc.record({ type: fc.constant('HW_FREE' as const), fd }),
  fc.record({
    type: fc.constant('SW_PARAMS' as const),
    fd,
    params: fc.record({
      avail_min: fc.bigInt({ min: 0n, max: 300n }),
      start_threshold: ptr,
      stop_threshold: ptr,
      silence_threshold: fc.constantFrom(0n, 64n, 128n),
      silence_size: fc.constantFrom(0n, 32n, 64n, 1n << 62n),
    }),
  }),
  fc.record({ type: fc.constantFrom('PREPARE' as const, 'START' as const, 'DROP' as const, 'DRAIN' as const, 'RESET' as const, 'RESUME' as const, 'XRUN' as const, 'HWSYNC' as const, 'DELAY' as const, 'UNLINK' as const, 'POLL' as const, 'DEVICE_XRUN' as const, 'PEEK' as const), fd }),
  fc.record({ type: fc.constant('STATUS' as const), fd, ext: fc.boolean() }),
  fc.record({ type: fc.constant('PAUSE' as const), fd, push: fc.boolean() }),
  fc.record({ type: fc.constantFrom('REWIND' as const, 'FORWARD' as const), fd, frames: ptr }),
  fc.record({ type: fc.constantFrom('WRITEI' as const, 'READI' as const, 'WRITEN' as const, 'READN' as const), fd, frames }),
  fc.record({ type: fc.constantFrom('WRITE' as const, 'READ' as const), fd, bytes: frames }),
  fc.record({ type: fc.constant('ADVANCE' as const), fd, frames }),
  fc.record({ type: fc.constant('LINK' as const), fd, other: fd }),
  fc.record({ type: fc.constant('SYNC_PTR' as const), fd, flags: fc.integer({ min: 0, max: 7 }), appl_ptr: ptr, avail_min: ptr, compat32: fc.boolean() }),
  fc.record({ type: fc.constant('MMAP' as const), fd, area: fc.constantFrom('DATA' as const, 'STATUS' as const, 'CONTROL' as const), prot: fc.constantFrom('R' as const, 'W' as const, 'RW' as const) }),
  fc.record({ type: fc.constant('MUNMAP' as const), fd, area: fc.constantFrom('DATA' as const, 'STATUS' as const, 'CONTROL' as const) }),
  fc.record({ type: fc.constant('CONTROL_WRITE' as const), fd, appl_ptr: ptr }),
  fc.constantFrom<Command>({ type: 'SUSPEND' }, { type: 'SUSPEND' }, { type: 'SUSPEND' }, { type: 'DISCONNECT' }),
);

/** Both directions opened, set up and prepared, so that random commands reach the running states. */
const PREFIX: Command[] = [
  { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true },
  { type: 'HW_PARAMS', fd: 0, params: hw(64, 4) },
  { type: 'PREPARE', fd: 0 },
  { type: 'OPEN', fd: 1, stream: 'CAPTURE', nonblock: false },
  { type: 'HW_PARAMS', fd: 1, params: hw(64, 4) },
  { type: 'PREPARE', fd: 1 },
];
const sequence = fc.tuple(fc.boolean(), fc.array(command, { minLength: 10, maxLength: 80 })).map(([p, cmds]) => (p ? [...PREFIX, ...cmds] : cmds));

/** The harness keeps its own file table: OPEN only on free descriptors (an open one is a test bug). */
function runAll(cmds: Command[], opts: Parameters<typeof session>[0]) {
  const dev = session(opts);
  const open = new Set<number>();
  const outcomes: string[] = [];
  for (const c of cmds) {
    if (c.type === 'OPEN' && open.has(c.fd)) continue;
    const r = dev.exec(c);
    if (r instanceof Promise) throw new Error('async');
    if (c.type === 'OPEN' && r.ok) open.add(c.fd);
    if (c.type === 'CLOSE' && r.ok) open.delete(c.fd);
    outcomes.push(show(r));
    if (!r.ok) {
      if (r.errno === 'EBADF') assert.ok('fd' in c && !open.has(c.fd), 'EBADF only for descriptors that are not open');
      else assert.ok((RULE_IDS as string[]).includes(r.rule ?? ''), `${c.type} → ${r.errno} names no spec rule: ${r.rule}`);
    }
    for (const f of open) {
      const d = dev.debug(f);
      if (d.buffer_size > 0) assert.ok(d.pos >= 0 && d.pos < d.buffer_size, `device position ${d.pos} outside the buffer`);
    }
  }
  dev.dispose();
  return outcomes;
}

test('random command sequences never throw and answer every refusal with a spec rule', () => {
  fc.assert(
    fc.property(sequence, fc.constantFrom('7.2' as const, '6.1' as const), fc.boolean(), (cmds, follows, loopback) => {
      runAll(cmds, { follows, loopback, waitLimitPeriods: 64 });
    }),
    { numRuns: 400 },
  );
});

test('a command sequence replays to the same outcomes', () => {
  fc.assert(
    fc.property(sequence, (cmds) => {
      assert.deepEqual(runAll(cmds, { waitLimitPeriods: 64 }), runAll(cmds, { waitLimitPeriods: 64 }));
    }),
    { numRuns: 100 },
  );
});
