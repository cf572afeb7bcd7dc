// poll(2): snd_pcm_poll() (sound/core/pcm_native.c). It reads the stored pointers; no update.
import { availOf, type Substream } from './card.ts';

export const EPOLLIN = 0x1;
export const EPOLLOUT = 0x4;
export const EPOLLERR = 0x8;
export const EPOLLNVAL = 0x20;
export const EPOLLRDNORM = 0x40;
export const EPOLLWRNORM = 0x100;

/** pcm.poll.ready, pcm.poll.draining, pcm.poll.error. */
export function poll(s: Substream): number {
  const ok = s.playback ? EPOLLOUT | EPOLLWRNORM : EPOLLIN | EPOLLRDNORM;
  const rt = s.rt;
  if (rt.state === 'DISCONNECTED') return ok | EPOLLERR;
  const avail = availOf(s);
  switch (rt.state) {
    case 'RUNNING':
    case 'PREPARED':
    case 'PAUSED':
      return avail >= rt.availMin ? ok : 0;
    case 'DRAINING':
      if (s.playback) return 0;
      return avail === 0n ? ok | EPOLLERR : ok;
    default:
      return ok | EPOLLERR;
  }
}
