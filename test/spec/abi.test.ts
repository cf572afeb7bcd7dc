import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERRNO, errnoName } from '../../spec/abi/errno.ts';
import { PCM_IOCTL } from '../../spec/abi/ioctl.ts';
import { PCM_STATES, PCM_STATE_VALUE } from '../../spec/abi/states.ts';

// What gcc printed for the 7.2 uapi header on x86_64 (sizeof/offsetof and the _IO* macros),
// recorded when spec/abi was written; spec/abi computes the same numbers from its layouts.
const GCC: Record<string, number> = {
  PVERSION: 0x80044100, INFO: 0x81204101, TSTAMP: 0x40044102, TTSTAMP: 0x40044103, USER_PVERSION: 0x40044104,
  HW_REFINE: 0xc2604110, HW_PARAMS: 0xc2604111, HW_FREE: 0x00004112, SW_PARAMS: 0xc0884113, STATUS: 0x80984120,
  DELAY: 0x80084121, HWSYNC: 0x00004122, SYNC_PTR: 0xc0884123, STATUS_EXT: 0xc0984124, CHANNEL_INFO: 0x80184132,
  PREPARE: 0x00004140, RESET: 0x00004141, START: 0x00004142, DROP: 0x00004143, DRAIN: 0x00004144, PAUSE: 0x40044145,
  REWIND: 0x40084146, RESUME: 0x00004147, XRUN: 0x00004148, FORWARD: 0x40084149, WRITEI_FRAMES: 0x40184150,
  READI_FRAMES: 0x80184151, WRITEN_FRAMES: 0x40184152, READN_FRAMES: 0x80184153, LINK: 0x40044160, UNLINK: 0x00004161,
  SYNC_PTR32: 0xc0844123,
};

test('every PCM ioctl number computed from the struct layouts matches gcc against the uapi header', () => {
  for (const [name, value] of Object.entries(GCC)) {
    assert.equal(PCM_IOCTL[name as keyof typeof PCM_IOCTL], value, `${name}: 0x${PCM_IOCTL[name as keyof typeof PCM_IOCTL].toString(16)}`);
  }
});

test('the nine PCM states have the kernel numbers 0 to 8 in order', () => {
  assert.deepEqual(PCM_STATES.map((s) => PCM_STATE_VALUE[s]), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(PCM_STATES[8], 'DISCONNECTED');
});

test('errno names round-trip through their x86_64 values', () => {
  for (const [name, value] of Object.entries(ERRNO)) assert.equal(errnoName(value), name);
  assert.equal(ERRNO.EBADFD, 77);
  assert.equal(ERRNO.ESTRPIPE, 86);
});
