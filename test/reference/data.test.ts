import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillPattern } from '../../spec/device.ts';
import { advance, hw, must, prepared, refused, run, session, write } from './helpers.ts';

const pattern = (frames: number, first = 0, frameBytes = 4): Uint8Array => {
  const p = new Uint8Array(frames * frameBytes);
  fillPattern(p, first, frameBytes);
  return p;
};

test('every frame written to playback reaches capture through the loopback cable once, in order', () => {
  const dev = session({ loopback: true });
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  prepared(dev, 1, 'CAPTURE', hw(64, 4));
  must(dev, { type: 'START', fd: 1 });
  const captured: Uint8Array[] = [];
  let total = 0;
  const steps = [37, 64, 1, 100, 63, 129, 64, 5, 90, 64];
  for (let i = 0; i < 60; i++) {
    const r = run(dev, { type: 'WRITEI', fd: 0, frames: 1000 }); // as much as fits (nonblocking)
    assert.ok(r.ok || r.errno === 'EAGAIN');
    const k = steps[i % steps.length]!;
    assert.equal(advance(dev, 0, k), BigInt(k));
    assert.equal(advance(dev, 1, k), BigInt(k));
    const got = run(dev, { type: 'READI', fd: 1, frames: 1000 });
    if (got.ok) {
      captured.push(got.data!);
      total += got.data!.length;
    } else {
      assert.equal(got.errno, 'EAGAIN');
    }
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of captured) {
    all.set(c, at);
    at += c.length;
  }
  assert.ok(total > 3000 * 4, `enough frames went through (${total / 4})`);
  assert.deepEqual(all, pattern(total / 4));
  assert.equal(dev.cableBytes, 0, 'capture took everything playback sent');
});

test('the cable carries nothing while capture is not running, and capture then records silence', () => {
  const dev = session({ loopback: true });
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  prepared(dev, 1, 'CAPTURE', hw(64, 4));
  write(dev, 0, 128);
  advance(dev, 0, 64);
  assert.equal(dev.cableBytes, 0);
  must(dev, { type: 'START', fd: 1 });
  advance(dev, 1, 64);
  assert.deepEqual(must(dev, { type: 'READI', fd: 1, frames: 64 }).data, new Uint8Array(256));
});

test('without loopback a capture device records the test pattern, frame after frame', () => {
  const dev = session();
  prepared(dev, 1, 'CAPTURE', hw(64, 4));
  // a read of at least start_threshold (1) frames starts the stream, then finds nothing yet
  refused(dev, { type: 'READI', fd: 1, frames: 1 }, 'EAGAIN', 'pcm.xfer.again');
  assert.equal(dev.debug(1).state, 'RUNNING');
  advance(dev, 1, 200);
  const got = must(dev, { type: 'READI', fd: 1, frames: 300 });
  assert.equal(got.value, 200n);
  assert.deepEqual(got.data, pattern(200));
});

test('the sink holds what the playback device consumed, including data passed by the caller', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { start_threshold: 128n });
  const mine = new Uint8Array(128 * 4).map((_, i) => (i * 7 + 3) & 0xff);
  write(dev, 0, 128, mine);
  advance(dev, 0, 128);
  assert.deepEqual(dev.takeSink(), mine);
  assert.equal(dev.takeSink().length, 0);
});

test('WRITEN takes the channels one after another and the device plays them interleaved', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4, { access: 'RW_NONINTERLEAVED' }));
  refused(dev, { type: 'WRITEI', fd: 0, frames: 4 }, 'EINVAL', 'pcm.xfer.access');
  const data = new Uint8Array(64 * 4);
  for (let f = 0; f < 64; f++) {
    data[f * 2] = f; // left sample, little-endian
    data[128 + f * 2] = 0x80 | f; // right
  }
  assert.equal(must(dev, { type: 'WRITEN', fd: 0, frames: 64, data }).value, 64n);
  advance(dev, 0, 64);
  const played = dev.takeSink();
  for (let f = 0; f < 64; f++) {
    assert.equal(played[f * 4], f);
    assert.equal(played[f * 4 + 2], 0x80 | f);
  }
});

test('READN returns the captured channels one after another', () => {
  const dev = session();
  prepared(dev, 1, 'CAPTURE', hw(64, 4, { access: 'RW_NONINTERLEAVED' }));
  must(dev, { type: 'START', fd: 1 });
  advance(dev, 1, 64);
  const got = must(dev, { type: 'READN', fd: 1, frames: 100 });
  assert.equal(got.value, 64n);
  const interleaved = pattern(64);
  for (let f = 0; f < 64; f++) {
    for (let c = 0; c < 2; c++) {
      for (let k = 0; k < 2; k++) assert.equal(got.data![(c * 64 + f) * 2 + k], interleaved[f * 4 + c * 2 + k]);
    }
  }
});

test('HW_PARAMS clears the buffer', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), { start_threshold: 1000n });
  write(dev, 0, 256);
  assert.ok(dev.debug(0).buffer.some((b) => b !== 0));
  must(dev, { type: 'HW_PARAMS', fd: 0, params: hw(64, 4) });
  assert.ok(dev.debug(0).buffer.every((b) => b === 0));
});
