// The struct codecs of reference/kernel/codec.ts on crafted bytes (the VM tests check them against
// the kernel's own answers).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HW_PARAM } from '../../spec/abi/params.ts';
import { HW_PARAMS, STATUS, SYNC_PTR32 } from '../../spec/abi/structs.ts';
import { boundaryOf, decodeHwConfig, decodeStatus, decodeSyncPtr, encodeHwParams, encodeSyncPtr } from '../../reference/kernel/codec.ts';

const HW = { access: 'MMAP_INTERLEAVED', format: 'S24_3LE', channels: 6, rate: 44100, period_size: 441, periods: 3 } as const;

describe('struct codecs', () => {
  it('a fully specified hw_params has one bit per mask, single-valued intervals, and decodes back', () => {
    const b = encodeHwParams(HW);
    const v = new DataView(b.buffer);
    const masks = HW_PARAMS.fields.masks[0];
    assert.equal(v.getUint32(masks, true), 1 << 0); // ACCESS: MMAP_INTERLEAVED = 0
    assert.equal(v.getUint32(masks + 32 + 4, true), 1 << 0); // FORMAT: S24_3LE = 32 → word 1, bit 0
    const ch = HW_PARAMS.fields.intervals[0] + (HW_PARAM.CHANNELS - HW_PARAM.SAMPLE_BITS) * 12;
    assert.deepEqual([v.getUint32(ch, true), v.getUint32(ch + 4, true), v.getUint32(ch + 8, true)], [6, 6, 4]); // integer flag
    assert.equal(v.getUint32(HW_PARAMS.fields.rmask[0], true), 0xffffffff);
    const back = decodeHwConfig(b);
    assert.deepEqual({ ...back, buffer_size: 0 }, { ...HW, flags: 0, buffer_size: 0 });
  });

  it('the boundary doubles the buffer size while 2·boundary ≤ LONG_MAX − buffer_size (ring.boundary.64)', () => {
    assert.equal(boundaryOf(4096), 1n << 62n);
    assert.equal(boundaryOf(6000), 6000n * (1n << 50n));
    assert.equal(boundaryOf(0), 0n);
  });

  it('STATUS decodes signed delay and 64-bit pointers beyond 2^53', () => {
    const b = new Uint8Array(STATUS.size);
    const v = new DataView(b.buffer);
    v.setInt32(STATUS.fields.state[0], 7, true);
    v.setInt32(STATUS.fields.suspended_state[0], 3, true);
    v.setBigUint64(STATUS.fields.appl_ptr[0], (1n << 62n) - 1n, true);
    v.setBigInt64(STATUS.fields.delay[0], -5n, true);
    const s = decodeStatus(b);
    assert.deepEqual([s.state, s.suspended_state, s.appl_ptr, s.delay], ['SUSPENDED', 'RUNNING', (1n << 62n) - 1n, -5n]);
  });

  it('the compat SYNC_PTR writes 32-bit pointers at its packed offsets and reads them back', () => {
    const b = encodeSyncPtr(2, 0x1_0000_0005n, 7n, true);
    assert.equal(b.length, SYNC_PTR32.size);
    const v = new DataView(b.buffer);
    assert.equal(v.getUint32(SYNC_PTR32.fields['c.appl_ptr'][0], true), 5); // truncated to 32 bits
    assert.equal(decodeSyncPtr(b, true).avail_min, 7n);
  });
});
