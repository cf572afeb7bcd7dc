// LINK and UNLINK.
import { ALL, type OpSpec } from '../edges.ts';
import { unlink } from '../kernel.ts';
import { IOCTL_GUARDS, ok } from './common.ts';

export const LINK: OpSpec<'LINK'> = {
  type: 'LINK',
  edges: [
    ...IOCTL_GUARDS,
    { in: ALL, if: ['!isLinkTargetOpen'], errno: 'EBADFD', rules: ['pcm.link.bad-fd'] },
    { in: ALL, if: ['isLinkToSelf'], errno: 'EINVAL', rules: ['pcm.link.self'] },
    { in: ['OPEN'], errno: 'EBADFD', rules: ['pcm.link.state'] },
    { in: ALL, if: ['!isLinkTargetSameState'], errno: 'EBADFD', rules: ['pcm.link.state'] },
    { in: ALL, if: ['isLinkTargetLinked'], errno: 'EALREADY', rules: ['pcm.link.already'] },
    { in: ALL, run: true, rules: ['pcm.link.ok'] },
  ],
  effect(ctx, i, ev) {
    // snd_pcm_group_assign() moves each newcomer to the head of the list.
    const group = ctx.group.includes(i) ? ctx.group : [i];
    ctx.group = [ev.other, ...group];
    ok(ctx);
  },
};

export const UNLINK: OpSpec<'UNLINK'> = {
  type: 'UNLINK',
  edges: [
    ...IOCTL_GUARDS,
    { in: ALL, if: ['!isLinked'], errno: 'EALREADY', rules: ['pcm.unlink.not-linked'] },
    { in: ALL, run: true, rules: ['pcm.unlink.ok'] },
  ],
  effect(ctx, i) {
    unlink(ctx, i);
    ok(ctx);
  },
};

export const LINK_OPS = [LINK, UNLINK] as const;
