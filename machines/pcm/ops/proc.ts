// PROC_READ and PROC_WRITE: the prealloc proc files of a direction's substream
// (spec/pcm/managed.md). They belong to the card, not to a file: every region classifies the
// command the same way, and the first commits it.
import { ALL, type OpSpec } from '../edges.ts';
import type { RegionState } from '../context.ts';
import { procText, procWrite } from '../../buffer/allocator.ts';
import { ok } from './common.ts';

const ANY: readonly RegionState[] = [...ALL, 'CLOSED'];

export const PROC_READ: OpSpec<'PROC_READ'> = {
  type: 'PROC_READ',
  cardWide: true,
  edges: [
    { in: ANY, if: ['!hasProcFiles'], errno: 'ENOENT', rules: ['buffer.proc.files'] },
    { in: ANY, if: ['isProcMaxFile'], run: true, rules: ['buffer.proc.files', 'buffer.proc.prealloc-max-read'] },
    { in: ANY, run: true, rules: ['buffer.proc.files', 'buffer.proc.prealloc-read'] },
  ],
  effect(ctx, _i, ev) {
    ok(ctx, { text: procText(ctx.memory, ev.stream, ev.file) });
  },
};

export const PROC_WRITE: OpSpec<'PROC_WRITE'> = {
  type: 'PROC_WRITE',
  cardWide: true,
  edges: [
    { in: ANY, if: ['!hasProcFiles'], errno: 'ENOENT', rules: ['buffer.proc.files'] },
    { in: ANY, if: ['isProcMaxFile'], errno: 'EIO', rules: ['buffer.proc.prealloc-max-write'] },
    { in: ANY, if: ['isProcTextTooLong'], errno: 'EIO', rules: ['buffer.proc.prealloc-max-write'] },
    // The callback runs at close(2) and its error goes nowhere: write(2) and close(2) succeed.
    { in: ANY, if: ['isProcSubstreamOpen'], run: true, rules: ['buffer.proc.write-swallowed'] },
    { in: ANY, if: ['!isProcWriteAccepted'], run: true, rules: ['buffer.proc.write-swallowed'] },
    { in: ANY, run: true, rules: ['buffer.proc.prealloc-write', 'buffer.card.accounting'] },
  ],
  effect(ctx, _i, ev) {
    const open = ctx.streams.some((s) => s.state !== 'CLOSED' && s.dir === ev.stream);
    procWrite(ctx.memory, ev.stream, ev.text, open); // changes the memory only when it succeeds
    ok(ctx, { value: BigInt(ev.text.length) });
  },
};

export const PROC_OPS = [PROC_READ, PROC_WRITE] as const;
