import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hw, must, prepared, refused, session, state, write } from './helpers.ts';

function linkedPair() {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  prepared(dev, 1, 'CAPTURE', hw(64, 4));
  must(dev, { type: 'LINK', fd: 0, other: 1 });
  return dev;
}

test('LINK puts the new member at the head of the group list', () => {
  const dev = linkedPair();
  assert.deepEqual(dev.debug(0).group, [1, 0]);
  assert.deepEqual(dev.debug(1).group, [1, 0]);
});

test('START on a group with a member not PREPARED fails for all and changes nobody', () => {
  const dev = linkedPair();
  must(dev, { type: 'HW_PARAMS', fd: 1, params: hw(64, 4) }); // capture back to SETUP, still linked
  write(dev, 0, 64); // playback: would start at threshold 1, but the group start fails
  assert.equal(state(dev, 0), 'PREPARED');
  refused(dev, { type: 'START', fd: 0 }, 'EBADFD', 'pcm.group.all-or-nothing');
  refused(dev, { type: 'START', fd: 1 }, 'EBADFD', 'pcm.start.not-prepared');
  assert.equal(state(dev, 0), 'PREPARED');
  assert.equal(state(dev, 1), 'SETUP');
});

test('the first failing pre-check in list order decides the errno', () => {
  // playback empty (its START pre-check: EPIPE), capture in SETUP (EBADFD)
  const a = linkedPair(); // list: capture, playback
  must(a, { type: 'HW_PARAMS', fd: 1, params: hw(64, 4) });
  refused(a, { type: 'START', fd: 0 }, 'EBADFD', 'pcm.group.all-or-nothing');
  const b = session();
  prepared(b, 0, 'PLAYBACK', hw(64, 4));
  prepared(b, 1, 'CAPTURE', hw(64, 4));
  must(b, { type: 'LINK', fd: 1, other: 0 }); // list: playback, capture
  must(b, { type: 'HW_PARAMS', fd: 1, params: hw(64, 4) });
  refused(b, { type: 'START', fd: 1 }, 'EPIPE', 'pcm.group.all-or-nothing');
});

test('a transfer that reaches the start threshold starts the whole group', () => {
  const dev = linkedPair();
  write(dev, 0, 64);
  assert.equal(state(dev, 0), 'RUNNING');
  assert.equal(state(dev, 1), 'RUNNING');
});

test('an xrun of one member stops every member in XRUN', () => {
  const dev = linkedPair();
  write(dev, 0, 64);
  must(dev, { type: 'ADVANCE', fd: 0, frames: 64 });
  assert.equal(state(dev, 0), 'XRUN');
  assert.equal(state(dev, 1), 'XRUN');
});

test('DROP on a group with an OPEN member returns 0 and changes nothing', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4));
  prepared(dev, 1, 'CAPTURE', hw(64, 4));
  must(dev, { type: 'LINK', fd: 0, other: 1 });
  must(dev, { type: 'HW_FREE', fd: 1 }); // capture in OPEN, still linked
  assert.equal(state(dev, 1), 'OPEN');
  must(dev, { type: 'DROP', fd: 0 });
  assert.equal(state(dev, 0), 'PREPARED', 'the group stop was abandoned');
});

test('closing a linked stream stops the rest of its group in SETUP', () => {
  const dev = linkedPair();
  write(dev, 0, 64);
  assert.equal(state(dev, 1), 'RUNNING');
  must(dev, { type: 'CLOSE', fd: 0 });
  assert.equal(state(dev, 1), 'SETUP');
  assert.deepEqual(dev.debug(1).group, [1], 'the last member is unlinked too');
});

test('a system suspend skips a group with a member in SETUP, and suspends one without', () => {
  const dev = linkedPair();
  write(dev, 0, 64);
  must(dev, { type: 'DROP', fd: 1 }); // the whole group to SETUP
  must(dev, { type: 'PREPARE', fd: 0 }); // both PREPARED again (group action)
  must(dev, { type: 'HW_PARAMS', fd: 1, params: hw(64, 4) }); // capture SETUP
  must(dev, { type: 'SUSPEND' });
  assert.equal(state(dev, 0), 'PREPARED', 'blocked by the SETUP member');
  must(dev, { type: 'PREPARE', fd: 1 });
  must(dev, { type: 'SUSPEND' });
  assert.equal(state(dev, 0), 'SUSPENDED');
  assert.equal(state(dev, 1), 'SUSPENDED');
  assert.equal(dev.debug(0).suspended_state, 'PREPARED');
});

test('PREPARE from one file gives every member that file\'s O_NONBLOCK', () => {
  const dev = session();
  prepared(dev, 0, 'PLAYBACK', hw(64, 4), undefined, false); // blocking file
  prepared(dev, 1, 'CAPTURE', hw(64, 4)); // nonblocking file
  must(dev, { type: 'LINK', fd: 0, other: 1 });
  must(dev, { type: 'PREPARE', fd: 0 });
  assert.equal(dev.debug(1).f_nonblock, false);
  must(dev, { type: 'PREPARE', fd: 1 });
  assert.equal(dev.debug(0).f_nonblock, true);
});

test('LINK refuses a closed descriptor, itself, different states and an already linked stream in that order', () => {
  const dev = session();
  must(dev, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
  refused(dev, { type: 'LINK', fd: 0, other: 7 }, 'EBADFD', 'pcm.link.bad-fd');
  refused(dev, { type: 'LINK', fd: 0, other: 0 }, 'EINVAL', 'pcm.link.self');
  must(dev, { type: 'OPEN', fd: 1, stream: 'CAPTURE', nonblock: true });
  refused(dev, { type: 'LINK', fd: 0, other: 1 }, 'EBADFD', 'pcm.link.state');
  must(dev, { type: 'HW_PARAMS', fd: 0, params: hw() });
  must(dev, { type: 'HW_PARAMS', fd: 1, params: hw() });
  must(dev, { type: 'LINK', fd: 0, other: 1 });
  refused(dev, { type: 'LINK', fd: 0, other: 1 }, 'EALREADY', 'pcm.link.already');
  must(dev, { type: 'UNLINK', fd: 1 });
  assert.deepEqual(dev.debug(0).group, [0]);
  refused(dev, { type: 'UNLINK', fd: 0 }, 'EALREADY', 'pcm.unlink.not-linked');
});
