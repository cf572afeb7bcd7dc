// Pieces every op table uses: the checks the VFS and the unplug make before a PCM handler runs,
// and the outcome setters of effects.
import type { Errno } from '../../../spec/abi/errno.ts';
import type { OkOutcome } from '../../../spec/device.ts';
import type { RuleId } from '../../../spec/rules.generated.ts';
import type { PcmContext } from '../context.ts';
import { ALL, type Edge } from '../edges.ts';
import { note } from '../kernel.ts';

/** pcm.file.not-open — no file in the slot, or a closed one held only by its mappings. */
export const NOT_OPEN: readonly Edge[] = [
  { in: ['CLOSED'], errno: 'EBADF', rules: ['pcm.file.not-open'] },
  { in: ALL, if: ['isFileClosed'], errno: 'EBADF', rules: ['pcm.file.not-open'], shared: true },
];

/** device.disconnect.enodev — the replaced file operations answer first. */
export const UNPLUGGED: Edge = {
  in: ['DISCONNECTED'],
  errno: 'ENODEV',
  rules: ['device.disconnect.enodev', 'pcm.state.disconnected-ebadfd'],
};

/** What stands before every ioctl, read, write and mmap handler. */
export const IOCTL_GUARDS: readonly Edge[] = [...NOT_OPEN, UNPLUGGED];

export function ok(ctx: PcmContext, fields: Omit<OkOutcome, 'ok'> = {}): void {
  ctx.last = { ok: true, ...fields };
}

export function fail(ctx: PcmContext, errno: Errno, rule?: RuleId): void {
  ctx.last = rule ? { ok: false, errno, rule } : { ok: false, errno };
  if (rule) note(ctx, rule);
}
