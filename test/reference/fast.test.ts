// The fast lane (reference/ring-core/fast.ts) against the exact path: the same random sequences of
// writeFrames()/readFrames()/advance() and ordinary commands, with the lane on and off, must give
// the same answers and leave the same runtime behind after every step, and the devices' port must
// see the same frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Command } from '../../spec/device.ts';
import type { RingCoreDevice } from '../../reference/ring-core/index.ts';
import { hw, session, show, sw } from './helpers.ts';

type Step =
  | { kind: 'write'; fd: number; frames: number; seed: number }
  | { kind: 'read'; fd: number; frames: number }
  | { kind: 'advance'; fd: number; frames: number }
  | { kind: 'exec'; cmd: Command };

const fd = fc.constantFrom(0, 1);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('write' as const), fd, frames: fc.integer({ min: 0, max: 700 }), seed: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('read' as const), fd, frames: fc.integer({ min: 0, max: 700 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('advance' as const), fd, frames: fc.integer({ min: 0, max: 400 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('exec' as const),
      cmd: fc.oneof(
        fc.record({ type: fc.constantFrom('STATUS' as const), fd, ext: fc.constant(false) }),
        fc.record({ type: fc.constantFrom('HWSYNC' as const, 'START' as const, 'DROP' as const, 'PREPARE' as const, 'RESET' as const, 'XRUN' as const, 'LINK' as const, 'UNLINK' as const), fd, other: fd }),
        fc.record({ type: fc.constant('PAUSE' as const), fd, push: fc.boolean() }),
        fc.record({ type: fc.constantFrom('REWIND' as const, 'FORWARD' as const), fd, frames: fc.bigInt({ min: 0n, max: 300n }) }),
        fc.record({
          type: fc.constant('SW_PARAMS' as const),
          fd,
          params: fc.record({
            stop: fc.constantFrom(256n, 100n, 1n << 62n),
            silence: fc.constantFrom(0n, 64n),
          }).map(({ stop, silence }) => sw({ buffer: 256, period: 64, stop_threshold: stop, silence_threshold: silence * 2n, silence_size: silence })),
        }),
        fc.constant<Command>({ type: 'SUSPEND' }),
      ) as fc.Arbitrary<Command>,
    }),
  },
);

type Access = 'RW_INTERLEAVED' | 'RW_NONINTERLEAVED' | 'MMAP_INTERLEAVED';

/** A session and what its devices played through the port (when it has one). */
interface Rig {
  dev: RingCoreDevice;
  played: number[][];
}

function setUp(fast: boolean, loopback: boolean, nearBoundary: boolean, access: Access, nonblock = true, port = false): Rig {
  const played: number[][] = [];
  let recorded = 0;
  const dev = session({
    fastLane: fast,
    loopback,
    sink: true,
    ...(port ? { port: { play: (f: Uint8Array) => void played.push([...f]), record: (f: Uint8Array) => void f.fill(++recorded & 0xff) } } : {}),
  });
  for (const [f, stream] of [[0, 'PLAYBACK'], [1, 'CAPTURE']] as const) {
    dev.exec({ type: 'OPEN', fd: f, stream, nonblock });
    dev.exec({ type: 'HW_PARAMS', fd: f, params: hw(64, 4, { access }) });
    dev.exec({ type: 'PREPARE', fd: f });
    if (nearBoundary) dev.debugShift(f, (1n << 62n) / 256n - 3n);
  }
  return { dev, played };
}

function apply(dev: RingCoreDevice, s: Step): string {
  switch (s.kind) {
    case 'write': {
      const data = new Uint8Array(s.frames * 4).map((_, i) => (i * 31 + s.seed) & 0xff);
      return show(dev.writeFrames(s.fd, data));
    }
    case 'read': {
      const into = new Uint8Array(s.frames * 4);
      const r = dev.readFrames(s.fd, into);
      return show([r, [...into]]);
    }
    case 'advance':
      return show(dev.advance(s.fd, s.frames));
    case 'exec':
      return show(dev.exec(s.cmd));
  }
}

test('writeFrames, readFrames and advance answer the same and leave the same runtime with the fast lane on and off', () => {
  fc.assert(
    fc.property(
      fc.array(step, { minLength: 5, maxLength: 60 }),
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom<Access>('RW_INTERLEAVED', 'RW_NONINTERLEAVED', 'MMAP_INTERLEAVED'),
      fc.boolean(),
      fc.boolean(),
      (steps, loopback, near, access, nonblock, port) => {
        const fast = setUp(true, loopback, near, access, nonblock, port);
        const exact = setUp(false, loopback, near, access, nonblock, port);
        steps.forEach((s, i) => {
          assert.equal(apply(fast.dev, s), apply(exact.dev, s), `step ${i}: ${show(s)}`);
          for (const f of [0, 1]) assert.equal(show(fast.dev.debug(f)), show(exact.dev.debug(f)), `runtime ${f} after step ${i}: ${show(s)}`);
        });
        assert.deepEqual(fast.dev.takeSink(), exact.dev.takeSink());
        assert.deepEqual(fast.played.flat(), exact.played.flat());
      },
    ),
    { numRuns: 300 },
  );
});

test('the fast lane runs a steady stream across the 2^62 boundary like the exact path', () => {
  const run = (fast: boolean) => {
    const { dev } = setUp(fast, false, true, 'RW_INTERLEAVED');
    const data = new Uint8Array(64 * 4).fill(7);
    const trace: string[] = [];
    dev.writeFrames(0, data);
    dev.writeFrames(0, data);
    for (let i = 0; i < 40; i++) {
      trace.push(show(dev.writeFrames(0, data)), show(dev.advance(0, 64)));
    }
    trace.push(show(dev.debug(0)));
    return trace;
  };
  const fast = run(true);
  assert.deepEqual(fast, run(false));
  assert.match(fast.at(-1)!, /"state":"RUNNING"/);
});

test('the fast lane refuses WRITEI and READI on a running MMAP_INTERLEAVED stream as the exact path does', () => {
  for (const fastLane of [true, false]) {
    const dev = session({ fastLane, sink: false });
    for (const [f, stream] of [[0, 'PLAYBACK'], [1, 'CAPTURE']] as const) {
      dev.exec({ type: 'OPEN', fd: f, stream, nonblock: true });
      dev.exec({ type: 'HW_PARAMS', fd: f, params: hw(64, 4, { access: 'MMAP_INTERLEAVED' }) });
      dev.exec({ type: 'SW_PARAMS', fd: f, params: sw({ buffer: 256, period: 64, stop_threshold: 1n << 62n }) });
      dev.exec({ type: 'PREPARE', fd: f });
      assert.deepEqual(dev.exec({ type: 'START', fd: f }), { ok: true });
    }
    dev.advance(1, 64);
    assert.equal(dev.writeFrames(0, new Uint8Array(64 * 4)), 'EINVAL', `fastLane ${fastLane}`);
    assert.equal(dev.readFrames(1, new Uint8Array(64 * 4)), 'EINVAL', `fastLane ${fastLane}`);
  }
});

test('a transfer of more than a buffer on a free-running stream that lapped it answers as on the exact path', () => {
  const run = (fastLane: boolean) => {
    const dev = session({ fastLane, sink: false });
    const trace: string[] = [];
    for (const [f, stream] of [[0, 'PLAYBACK'], [1, 'CAPTURE']] as const) {
      dev.exec({ type: 'OPEN', fd: f, stream, nonblock: true });
      dev.exec({ type: 'HW_PARAMS', fd: f, params: hw(64, 4) });
      dev.exec({ type: 'SW_PARAMS', fd: f, params: sw({ buffer: 256, period: 64, stop_threshold: 1n << 62n }) });
      dev.exec({ type: 'PREPARE', fd: f });
      dev.exec({ type: 'START', fd: f });
      trace.push(show(dev.advance(f, 1000))); // the device laps the buffer: avail passes buffer_size
    }
    const data = new Uint8Array(700 * 4).map((_, i) => i & 0xff);
    trace.push(show(dev.writeFrames(0, data)), show(dev.debug(0)));
    const into = new Uint8Array(700 * 4);
    trace.push(show(dev.readFrames(1, into)), show([...into]), show(dev.debug(1)));
    return trace;
  };
  assert.deepEqual(run(true), run(false));
});

test('with two views, a recorder or a fault the fast lane and its jumps stand aside: the same answers, views and records as the exact path', () => {
  const KiB = 1024;
  const twoViews = { buffers: { PLAYBACK: { managed: true, type: 'NONCOHERENT' as const, size: 64 * KiB, max: 64 * KiB }, CAPTURE: { managed: true, type: 'NONCOHERENT' as const, size: 64 * KiB, max: 64 * KiB } }, needSync: true };
  const profiles = [
    { name: 'two views', memory: twoViews, trace: false },
    { name: 'two views, traced', memory: twoViews, trace: true },
    { name: 'one view, traced', trace: true },
    { name: 'a fault', fault: 'delay-off-by-one' as const, trace: false },
  ];
  const longStep: fc.Arbitrary<Step> = fc.record({ kind: fc.constant('advance' as const), fd, frames: fc.integer({ min: 64 * 64, max: 64 * 80 }) });
  fc.assert(
    fc.property(fc.constantFrom(...profiles), fc.array(fc.oneof({ weight: 6, arbitrary: step }, { weight: 1, arbitrary: longStep }), { minLength: 5, maxLength: 30 }), fc.boolean(), (p, steps, loopback) => {
      const rig = (fastLane: boolean) => {
        const { name: _, ...o } = p;
        const dev = session({ ...o, fastLane, loopback, sink: false });
        for (const [f, stream] of [[0, 'PLAYBACK'], [1, 'CAPTURE']] as const) {
          dev.exec({ type: 'OPEN', fd: f, stream, nonblock: true });
          dev.exec({ type: 'HW_PARAMS', fd: f, params: hw(64, 4) });
          dev.exec({ type: 'SW_PARAMS', fd: f, params: sw({ buffer: 256, period: 64, stop_threshold: 1n << 62n }) });
          dev.exec({ type: 'PREPARE', fd: f });
        }
        return dev;
      };
      const fast = rig(true);
      const exact = rig(false);
      steps.forEach((s, i) => {
        const at = `${p.name}, step ${i}: ${show(s)}`;
        assert.equal(apply(fast, s), apply(exact, s), at);
        for (const f of [0, 1]) assert.equal(show(fast.debug(f)), show(exact.debug(f)), `runtime ${f}, ${at}`);
        for (const dir of ['PLAYBACK', 'CAPTURE'] as const) {
          const [a, b] = [fast.views(dir), exact.views(dir)];
          assert.ok(a && b ? Buffer.from(a.cpu).equals(b.cpu) && Buffer.from(a.dev).equals(b.dev) : a === b, `views of ${dir}, ${at}`);
          const record = (d: RingCoreDevice) => show(d.takeDma(dir)).replace(/"buffer":\d+/g, '"buffer":_'); // ids are global
          assert.equal(record(fast), record(exact), `DMA record of ${dir}, ${at}`);
        }
        assert.deepEqual(fast.takeCalls(), exact.takeCalls(), at);
      });
    }),
    { numRuns: 150 },
  );
});
