// What the buffer machine's edges do: each action is one step of a kernel function (named beside
// it). Every edge also runs `step`, which records its id and rules; the stable states' edges start
// with `begin`, which clears what the previous command left.
import { assign } from 'xstate';
import type { Errno } from '../../spec/abi/errno.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import { cloneMem, mallocPages, procText, procWrite, releaseBuf } from './allocator.ts';
import type { BufferContext } from './context.ts';
import type { BufferEvent } from './events.ts';
import { bytesOf } from './guards.ts';

type Args = { context: BufferContext; event: BufferEvent };

const call = (c: BufferContext, what: string): string[] => [...c.calls, `${c.dir} ${what}`];

/** An assign action over this machine's context and events, with typed params. */
const act = <P extends Record<string, unknown> | undefined = undefined>(f: (a: Args, p: P) => Partial<BufferContext>) =>
  assign<BufferContext, BufferEvent, P, BufferEvent, never>(({ context, event }, p) => f({ context, event }, p));

/** snd_pcm_lib_free_pages() as the calls the reference records. */
function release(c: BufferContext): Partial<BufferContext> {
  if (!c.buf) return {};
  const mem = cloneMem(c.mem);
  releaseBuf(mem, c.buf);
  return { mem, buf: null, calls: call(c, c.buf.prealloc ? 'core.free prealloc' : `core.free own ${c.buf.bytes}`) };
}

export const actions = {
  /** A command begins: nothing recorded yet. */
  begin: act(() => ({ calls: [], steps: [], last: { ok: true }, pending: null })),
  /** Records the edge taken. */
  step: act<{ id: string; rules: readonly RuleId[] }>(({ context }, p) => ({ steps: [...context.steps, { id: p.id, rules: p.rules }] })),
  /** A refusal: the errno, nothing else. */
  refuse: act<{ errno: Errno }>((_, p) => ({ last: { ok: false, errno: p.errno } })),
  /** A success without a value. */
  succeed: act(() => ({ last: { ok: true } })),
  /** The driver's open callback (snd_pcm_open_substream()). */
  driverOpen: act(({ context }) => ({ calls: call(context, 'driver.open'), closing: false })),
  /** The driver's close callback: the runtime goes. */
  driverClose: act(({ context }) => ({ calls: call(context, 'driver.close'), closing: false, access: null, mapped: 0 })),
  /** snd_pcm_hw_params() takes the request: refinement passed or not, the error path or on. */
  takeRequest: act(({ event }) => (event.type === 'HW_PARAMS' ? { pending: { params: event.params, bytes: bytesOf(event.params) } } : {})),
  /** The request failed with `errno`: the error path follows (buffer.hw-params.error-path). */
  failRequest: act<{ errno: Errno }>(({ event }, p) => ({
    last: { ok: false, errno: p.errno },
    pending: event.type === 'HW_PARAMS' ? { params: event.params, bytes: bytesOf(event.params) } : null,
  })),
  /** snd_pcm_lib_malloc_pages(): the runtime's buffer for the pending request. */
  malloc: act(({ context }) => {
    const bytes = context.pending!.bytes;
    let calls = context.calls;
    if (context.buf && context.buf.bytes < bytes) {
      calls = call(context, context.buf.prealloc ? 'core.free prealloc' : `core.free own ${context.buf.bytes}`);
    }
    const mem = cloneMem(context.mem);
    const r = mallocPages(mem, context.dir, context.buf, bytes);
    calls = [...calls, `${context.dir} core.malloc ${r.result} ${bytes}`];
    const fields: Partial<BufferContext> = { mem, buf: r.buf, calls, bufferChanged: r.result === 'prealloc' || r.result === 'own' };
    if (r.result === 'enomem') fields.last = { ok: false, errno: 'ENOMEM' };
    return fields;
  }),
  /** The driver's hw_params callback; managed, it is told whether the buffer changed. */
  driverHwParams: act<{ managed: boolean }>(({ context }, p) => ({
    calls: call(context, p.managed ? `driver.hw_params changed=${context.bufferChanged ? 1 : 0}` : 'driver.hw_params'),
  })),
  /** The runtime takes the configuration (pcm.hw-params.ok). */
  install: act(({ context }) => {
    const p = context.pending!.params;
    return { access: p.access, last: { ok: true, hw: { ...p, buffer_size: p.period_size * p.periods } } };
  }),
  /** The driver's hw_free callback; a legacy driver frees its buffer there. */
  driverHwFree: act<{ managed: boolean }>(({ context }, p) => {
    const c = { ...context, calls: call(context, 'driver.hw_free') };
    return p.managed ? { calls: c.calls } : { calls: c.calls, ...release(c) };
  }),
  /** do_hw_free()'s managed release. */
  coreFree: act(({ context }) => release(context)),
  /** The setup is gone (HW_FREE, error path). */
  dropSetup: act(() => ({ access: null })),
  /** The file's release begins (CLOSE, or the last MUNMAP of a closed file). */
  startClose: act(() => ({ closing: true })),
  map: act(({ context }) => ({ mapped: context.mapped + 1, last: { ok: true } })),
  unmap: act(({ context }) => ({ mapped: Math.max(0, context.mapped - 1), last: { ok: true } })),
  /** buffer.proc.prealloc-read, buffer.proc.prealloc-max-read. */
  procRead: act(({ context, event }) =>
    event.type === 'PROC_READ' ? { last: { ok: true, text: procText(context.mem, context.dir, event.file) } } : {},
  ),
  /** The write(2) went through; the callback at close(2) changes what it can, quietly. */
  procWrite: act(({ context, event }) => {
    if (event.type !== 'PROC_WRITE') return {};
    const mem = cloneMem(context.mem);
    const before = mem.subs[context.dir].preBytes;
    const r = procWrite(mem, context.dir, event.text, false);
    const calls = [...context.calls];
    if (r.error === null && r.action === 'alloc') calls.push(`${context.dir} proc.alloc ${mem.subs[context.dir].preBytes}`);
    if (r.error === null && r.action !== 'same' && before > 0) calls.push(`${context.dir} proc.free ${before}`);
    return { mem, calls, last: { ok: true, value: BigInt(event.text.length) } };
  }),
  /** A swallowed prealloc write: write(2) took the bytes, nothing changes. */
  procSwallowed: act(({ event }) => (event.type === 'PROC_WRITE' ? { last: { ok: true, value: BigInt(event.text.length) } } : {})),
};
