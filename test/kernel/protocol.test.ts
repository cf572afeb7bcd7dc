// The JSON-lines wire form (spec/protocol.ts): bigints travel as decimal strings, bytes as base64,
// and what goes out comes back equal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command, Outcome } from '../../spec/device.ts';
import { ProtocolError, parseRequest, parseResponse, stringifyLine } from '../../spec/protocol.ts';

const BIG = (1n << 62n) + 12345n;

describe('the JSON-lines protocol', () => {
  it('carries every bigint and byte field of a command through a line unchanged', () => {
    const cmds: Command[] = [
      { type: 'SW_PARAMS', fd: 0, params: { avail_min: 1n, start_threshold: BIG, stop_threshold: BIG, silence_threshold: 0n, silence_size: BIG, proto: 0x20012 } },
      { type: 'SYNC_PTR', fd: 1, flags: 3, appl_ptr: BIG, avail_min: 7n, compat32: true },
      { type: 'REWIND', fd: 0, frames: BIG },
      { type: 'FORWARD', fd: 0, frames: 3n },
      { type: 'CONTROL_WRITE', fd: 0, appl_ptr: BIG },
      { type: 'WRITEI', fd: 0, frames: 3, data: new Uint8Array([0, 1, 255, 128, 7, 9]) },
      { type: 'ADVANCE', fd: 2, frames: 480 },
      { type: 'OPEN', fd: 0, stream: 'CAPTURE', nonblock: false },
    ];
    for (const [i, cmd] of cmds.entries()) {
      const line = stringifyLine({ id: i, cmd });
      assert.ok(!line.includes('\n'));
      assert.deepEqual(parseRequest(line), { id: i, cmd });
    }
  });

  it('carries every bigint and byte field of an outcome through a line unchanged', () => {
    const outs: Outcome[] = [
      { ok: true, value: BIG },
      { ok: true, status: { state: 'RUNNING', suspended_state: 'OPEN', appl_ptr: BIG, hw_ptr: 5n, delay: -3n, avail: 9n, avail_max: 10n } },
      { ok: true, sync: { state: 'XRUN', suspended_state: 'OPEN', hw_ptr: BIG, appl_ptr: 1n, avail_min: 2n } },
      { ok: true, peek: { state: 'DISCONNECTED', suspended_state: 'PAUSED', hw_ptr: 0n, appl_ptr: BIG, avail_min: 1n } },
      { ok: true, value: 4n, data: new Uint8Array([1, 2, 3, 4]) },
      { ok: true, hw: { access: 'RW_INTERLEAVED', format: 'S16_LE', channels: 2, rate: 48000, period_size: 1024, periods: 4, buffer_size: 4096 } },
      { ok: false, errno: 'EBADFD' },
    ];
    for (const [i, outcome] of outs.entries()) assert.deepEqual(parseResponse(stringifyLine({ id: i, outcome })), { id: i, outcome });
  });

  it('writes bigints as decimal strings and bytes as base64 on the wire', () => {
    const line = stringifyLine({ id: 1, cmd: { type: 'REWIND', fd: 0, frames: BIG } });
    assert.equal(line, `{"id":1,"cmd":{"type":"REWIND","fd":0,"frames":"${BIG}"}}`);
    assert.equal(stringifyLine({ id: 2, outcome: { ok: true, data: new Uint8Array([255, 0]) } }), '{"id":2,"outcome":{"ok":true,"data":"/wA="}}');
  });

  it('rejects a malformed line, a request without id and a hello of another protocol version', () => {
    assert.throws(() => parseRequest('{"id":1,'), ProtocolError);
    assert.throws(() => parseRequest('{"cmd":{"type":"PVERSION","fd":0}}'), ProtocolError);
    assert.throws(() => parseRequest('{"id":1,"cmd":{"type":"REWIND","fd":0,"frames":"1.5"}}'), ProtocolError);
    assert.throws(() => parseResponse('{"hello":{"protocol":99,"implementation":"x"}}'), ProtocolError);
  });
});

describe('ProcessBackend (conformance/protocol.ts)', () => {
  it('puts a program that speaks the protocol on its stdin/stdout behind the PcmDevice seam', async () => {
    // A minimal implementation in plain JavaScript: every PVERSION answers 2.0.18, the rest EBADFD.
    const impl = `
      const rl = require('node:readline').createInterface({ input: process.stdin });
      const say = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
      say({ hello: { protocol: 1, implementation: 'fake' } });
      rl.on('line', (l) => {
        const r = JSON.parse(l);
        if (r.op === 'open') return say({ id: r.id, info: { backend: 'fake', device: 'fake', kernel: null, follows: '7.2', streams: {}, loopback: false, virtualClock: true } });
        if (r.op) { say({ id: r.id, done: true }); if (r.op === 'shutdown') process.exit(0); return; }
        if (r.cmd.type === 'PVERSION') return say({ id: r.id, outcome: { ok: true, value: '131090' } });
        say({ id: r.id, outcome: { ok: false, errno: 'EBADFD' } });
      });`;
    const { ProcessBackend } = await import('../../conformance/protocol.ts');
    const b = new ProcessBackend([process.execPath, '-e', impl], { timeoutMs: 5000 });
    try {
      const d = await b.open();
      assert.equal(d.info.backend, 'fake');
      assert.deepEqual(await d.exec({ type: 'PVERSION', fd: 0 }), { ok: true, value: 131090n });
      assert.deepEqual(await d.exec({ type: 'START', fd: 0 }), { ok: false, errno: 'EBADFD' });
      await d.dispose();
    } finally {
      await b.shutdown();
    }
  });
});
