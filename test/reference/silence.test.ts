import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillPattern } from '../../spec/device.ts';
import { advance, hw, must, prepared, refused, session, sw, write } from './helpers.ts';

const B = 1n << 62n;
const FRAME = 4;

/** A playback buffer full of old pattern data, then re-prepared with the given silence settings. */
function dirty(follows: '7.2' | '6.1', silence_threshold: bigint, silence_size: bigint) {
  const dev = session({ follows });
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { start_threshold: 1000n });
  write(dev, 0, 256);
  must(dev, { type: 'DROP', fd: 0 });
  const params = sw({ buffer: 256, period: 64, start_threshold: 1000n, stop_threshold: B, silence_threshold, silence_size });
  must(dev, { type: 'SW_PARAMS', fd: 0, params });
  must(dev, { type: 'PREPARE', fd: 0 });
  write(dev, 0, 64); // pattern frames 256..319 at buffer frames 0..63
  return dev;
}

const frames = (buf: Uint8Array, from: number, to: number) => buf.subarray(from * FRAME, to * FRAME);
const isSilent = (b: Uint8Array) => b.every((x) => x === 0);

test('START with a silence threshold silences the buffer after appl_ptr up to the threshold', () => {
  const dev = dirty('7.2', 256n, 256n);
  assert.ok(!isSilent(frames(dev.debug(0).buffer, 64, 256)), 'old data before the start');
  must(dev, { type: 'START', fd: 0 });
  const buf = dev.debug(0).buffer;
  const mine = new Uint8Array(64 * FRAME);
  fillPattern(mine, 256, FRAME);
  assert.deepEqual(frames(buf, 0, 64), mine, 'queued data untouched');
  assert.ok(isSilent(frames(buf, 64, 256)));
  assert.equal(dev.debug(0).silence_filled, 192n);
});

test('a smaller threshold silences only up to threshold − queued frames, at most silence_size at once', () => {
  const dev = dirty('7.2', 128n, 32n);
  must(dev, { type: 'START', fd: 0 });
  const buf = dev.debug(0).buffer;
  assert.ok(isSilent(frames(buf, 64, 96)));
  assert.ok(!isSilent(frames(buf, 96, 97)), 'silence_size caps one fill at 32 frames');
});

test('on 7.2 a period interrupt silences the frames just played (noise measured from the new hw_ptr)', () => {
  const dev = dirty('7.2', 256n, 256n);
  must(dev, { type: 'START', fd: 0 });
  advance(dev, 0, 64);
  assert.ok(isSilent(dev.debug(0).buffer));
});

test('on 6.1 the same interrupt silences nothing: the noise distance still counted the old hw_ptr', () => {
  const dev = dirty('6.1', 256n, 256n);
  must(dev, { type: 'START', fd: 0 });
  assert.ok(isSilent(frames(dev.debug(0).buffer, 64, 256)), 'the start fills the same way');
  advance(dev, 0, 64);
  assert.ok(!isSilent(frames(dev.debug(0).buffer, 0, 64)));
});

test('free-running silence (silence_size ≥ boundary) clears everything the hardware has played', () => {
  const dev = dirty('7.2', 0n, B);
  must(dev, { type: 'START', fd: 0 });
  assert.ok(!isSilent(frames(dev.debug(0).buffer, 0, 64)));
  assert.ok(isSilent(frames(dev.debug(0).buffer, 64, 256)));
  advance(dev, 0, 64);
  assert.ok(isSilent(dev.debug(0).buffer));
});

test('U8 silence is 0x80', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4, { format: 'U8' }), { start_threshold: 1000n, silence_threshold: 256n, silence_size: 256n });
  write(dev, 0, 10);
  must(dev, { type: 'START', fd: 0 });
  const buf = dev.debug(0).buffer;
  assert.ok(buf.subarray(20).every((b) => b === 0x80));
});

test('SW_PARAMS refuses the silence settings, avail_min and timestamp mode the kernel refuses', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  const bad = (o: object) =>
    refused(dev, { type: 'SW_PARAMS', fd: 0, params: sw({ buffer: 256, period: 64, ...o }) }, 'EINVAL', 'pcm.sw-params.invalid');
  bad({ silence_size: B, silence_threshold: 1n });
  bad({ silence_size: 10n, silence_threshold: 5n });
  bad({ silence_size: 10n, silence_threshold: 257n });
  bad({ avail_min: 0n });
  bad({ tstamp_mode: 2 });
  must(dev, { type: 'SW_PARAMS', fd: 0, params: sw({ buffer: 256, period: 64, silence_size: 10n, silence_threshold: 256n }) });
});
