// What must agree between the model and a backend after each step.
import type { Outcome, PeekValue } from '../spec/device.ts';
import { canonical } from './codec.ts';

/**
 * canonical(a) === canonical(b), without building the text: bigints and bytes by value, objects
 * by their keys in any order, a property holding undefined the same as a missing one (JSON drops
 * both). The text is built only to describe a difference.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return typeof a === 'bigint' || typeof b === 'bigint' || typeof a === 'number' || typeof b === 'number'
      ? canonical(a) === canonical(b) // 1n vs "1n", NaN and -0: as the text has them
      : false;
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return canonical(a) === canonical(b);
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return canonical(a) === canonical(b);
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i] ?? null, b[i] ?? null)) return false; // JSON: undefined → null
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let nx = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    nx++;
    if (!sameValue(x[k], y[k])) return false;
  }
  let ny = 0;
  for (const k in y) if (y[k] !== undefined) ny++;
  return nx === ny;
}

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
  for (const k of Object.keys(a)) {
    if (!sameValue(a[k], b[k])) problems.push(`${k}: model ${canonical(a[k])}, backend ${canonical(b[k])}`);
  }
  return problems.length ? problems.join('; ') : null;
}

export function diffPeek(fd: number, model: PeekValue | null | undefined, backend: PeekValue | null | undefined): string | null {
  if (sameValue(model ?? null, backend ?? null)) return null;
  return `fd ${fd} status/control pages: model ${canonical(model ?? null)}, backend ${canonical(backend ?? null)}`;
}
