// Simulated time in closed form (reference/ring-core/jump.ts) against the exact path: long advances
// of a quiet playback device must leave exactly the runtime that stepping every period interrupt
// leaves, xruns included, near and across the boundary; and a free-running stream crosses the
// 64-bit boundary in a handful of calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RingCoreDevice } from '../../reference/ring-core/index.ts';
import { hw, must, session, show, sw } from './helpers.ts';

interface Case {
  period: number;
  periods: number;
  /** stop_threshold: a buffer multiple, the boundary (free-running), or an exact value. */
  stop: 'buffer' | 'boundary' | bigint;
  /** Frames written before START (the queue the device plays down). */
  queued: number;
  /** Laps of the buffer pretended to have run already (debugShift), to sit near the boundary. */
  lapsBeforeBoundary: bigint | null;
  advances: number[];
  forwards: bigint[];
}

function setUp(fastLane: boolean, c: Case): RingCoreDevice {
  const dev = session({ fastLane, sink: false });
  const buffer = c.period * c.periods;
  must(dev, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  must(dev, { type: 'HW_PARAMS', fd: 0, params: hw(c.period, c.periods, { format: 'U8', channels: 1 }) });
  const boundary = dev.debug(0).boundary;
  const stop = c.stop === 'buffer' ? BigInt(buffer) : c.stop === 'boundary' ? boundary : c.stop;
  must(dev, { type: 'SW_PARAMS', fd: 0, params: sw({ buffer, period: c.period, stop_threshold: stop }) });
  must(dev, { type: 'PREPARE', fd: 0 });
  if (c.lapsBeforeBoundary !== null) dev.debugShift(0, boundary / BigInt(buffer) - c.lapsBeforeBoundary);
  if (c.queued > 0) dev.writeFrames(0, new Uint8Array(c.queued));
  dev.exec({ type: 'START', fd: 0 });
  return dev;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  period: fc.constantFrom(64, 96, 128, 1024),
  periods: fc.integer({ min: 1, max: 6 }),
  stop: fc.oneof(fc.constantFrom<'buffer' | 'boundary'>('buffer', 'boundary'), fc.bigInt({ min: 1n, max: 1n << 20n })),
  queued: fc.integer({ min: 0, max: 4096 }),
  lapsBeforeBoundary: fc.option(fc.bigInt({ min: 1n, max: 400n })),
  advances: fc.array(fc.integer({ min: 0, max: 300 * 1024 }), { minLength: 1, maxLength: 4 }),
  forwards: fc.array(fc.bigInt({ min: 0n, max: 1n << 18n }), { minLength: 4, maxLength: 4 }),
});

test('long advances of a quiet playback stream leave the runtime exactly as stepping every interrupt does', () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const fast = setUp(true, c);
      const exact = setUp(false, c);
      c.advances.forEach((n, i) => {
        assert.equal(fast.advance(0, n), exact.advance(0, n), `advance ${i} of ${n}`);
        assert.equal(show(fast.debug(0)), show(exact.debug(0)), `after advance ${i} of ${n}`);
        const fw = { type: 'FORWARD', fd: 0, frames: c.forwards[i]! } as const;
        assert.equal(show(fast.exec(fw)), show(exact.exec(fw)), `forward ${i}`);
      });
    }),
    { numRuns: 150 },
  );
});

test('a free-running playback stream crosses the 64-bit boundary with hw_ptr and appl_ptr in a few calls', () => {
  const dev = session({ sink: false });
  const period = 1024;
  const buffer = 4 * period;
  must(dev, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  must(dev, { type: 'HW_PARAMS', fd: 0, params: hw(period, 4) });
  const boundary = dev.debug(0).boundary;
  must(dev, { type: 'SW_PARAMS', fd: 0, params: sw({ buffer, period, stop_threshold: boundary }) });
  must(dev, { type: 'PREPARE', fd: 0 });
  must(dev, { type: 'START', fd: 0 });
  const step = 2 ** 52; // a multiple of the period: every call ends on an interrupt
  let hw64 = 0n;
  let crossed = 0;
  for (let i = 0; i < 1100; i++) {
    assert.equal(dev.advance(0, step), step);
    must(dev, { type: 'FORWARD', fd: 0, frames: BigInt(step) });
    hw64 = (hw64 + BigInt(step)) % boundary;
    const v = dev.debug(0);
    assert.equal(v.hw_ptr, hw64, `call ${i}`);
    assert.equal(v.appl_ptr, hw64, `call ${i}`);
    assert.equal(v.state, 'RUNNING');
    if (v.hw_ptr < BigInt(step)) crossed++;
  }
  assert.ok(crossed >= 1, 'hw_ptr wrapped at the boundary');
});
