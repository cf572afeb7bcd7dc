// What must agree between the model and a backend after each step.
import type { Outcome, PeekValue } from '../spec/device.ts';
import { canonical } from './codec.ts';

/** The fields of an outcome that are compared (data bytes are checked by the data tests). */
function comparable(o: Outcome): Record<string, unknown> {
  if (!o.ok) return { errno: o.errno };
  const { ok: _ok, data: _data, ...rest } = o;
  return rest;
}

/** A description of how two outcomes differ, or null when they agree. */
export function diffOutcome(model: Outcome, backend: Outcome): string | null {
  const a = comparable(model);
  const b = comparable(backend);
  if (model.ok !== backend.ok) return `model ${model.ok ? 'succeeded' : model.errno} but backend ${backend.ok ? 'succeeded' : backend.errno}`;
  const problems: string[] = [];
  for (const k of new Set([...Object.keys(a)])) {
    if (canonical(a[k]) !== canonical(b[k])) problems.push(`${k}: model ${canonical(a[k])}, backend ${canonical(b[k])}`);
  }
  return problems.length ? problems.join('; ') : null;
}

export function diffPeek(fd: number, model: PeekValue | null | undefined, backend: PeekValue | null | undefined): string | null {
  const a = canonical(model ?? null);
  const b = canonical(backend ?? null);
  return a === b ? null : `fd ${fd} status/control pages: model ${a}, backend ${b}`;
}
