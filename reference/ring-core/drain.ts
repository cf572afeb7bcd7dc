// DRAIN: snd_pcm_drain() (sound/core/pcm_native.c).
//
// A blocking drain sleeps until no playback member of the caller's group is DRAINING. While it
// sleeps, the device of every draining playback member runs to its next period interrupt, in
// group order, per round (spec pcm.drain.wait, Model); other streams do not move. A draining
// playback stream always runs, so the kernel's timeout (EIO, or ESTRPIPE) is reached only through
// the harness's patience, `waitLimitPeriods` rounds, after which it sends a signal (EINTR).
import { type PcmFile, type Substream } from './card.ts';
import { kerr, type KErr } from './errors.ts';
import { drainInit, pause, stop } from './actions.ts';
import { advance } from './device.ts';

const draining = (s: Substream): Substream[] =>
  s.group.list.filter((m) => m.playback && m.runtime !== null && m.rt.state === 'DRAINING');

export function drain(s: Substream, file: PcmFile): KErr | null {
  const rt = s.rt;
  const card = s.card;
  if (rt.state === 'OPEN') return kerr('EBADFD', 'pcm.drain.open');
  if (rt.state === 'PAUSED') pause(s, false);
  const e = drainInit(s);
  if (e) return e;
  if (file.nonblock) return kerr('EAGAIN', 'pcm.drain.nonblock');
  try {
    for (let rounds = 0; ; rounds++) {
      if (card.signalPending) return kerr('EINTR', 'pcm.drain.wait');
      const members = draining(s);
      if (members.length === 0) return null;
      if (rounds >= card.opts.waitLimitPeriods) {
        card.signalPending = true;
        continue;
      }
      let woken = false;
      for (const m of members) if (m.rt.state === 'DRAINING' && advance(m, m.rt.periodSize - (m.rt.pos % m.rt.periodSize)) > 0) woken = true;
      if (!woken) {
        // schedule_timeout() ran out
        if (rt.state === 'SUSPENDED') return kerr('ESTRPIPE', 'pcm.drain.wait');
        stop(s, 'SETUP');
        return kerr('EIO', 'pcm.drain.wait');
      }
    }
  } finally {
    card.signalPending = false;
  }
}
