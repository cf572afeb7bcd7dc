// Commands and outcomes as one-line text: replay lines, traces and JSON results (bigints as
// "123n", bytes as base64).
import type { Command } from '../spec/device.ts';

export function stringify(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return { base64: Buffer.from(v).toString('base64') };
    return v;
  });
}

export function parse<T = unknown>(text: string): T {
  return JSON.parse(text, (_k, v) => {
    if (typeof v === 'string' && /^-?\d+n$/.test(v)) return BigInt(v.slice(0, -1));
    if (v && typeof v === 'object' && typeof v.base64 === 'string' && Object.keys(v).length === 1) {
      return new Uint8Array(Buffer.from(v.base64, 'base64'));
    }
    return v;
  }) as T;
}

/** Like stringify, with object keys sorted: equal values give equal text. */
export function canonical(value: unknown): string {
  return stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

/** The event name a transition key uses: the ioctl, with its variant where it has one. */
export function eventLabel(cmd: Command): string {
  switch (cmd.type) {
    case 'PAUSE':
      return cmd.push ? 'PAUSE(push)' : 'PAUSE(release)';
    case 'MMAP':
    case 'MUNMAP':
      return `${cmd.type}(${cmd.area})`;
    case 'SYNC_PTR':
      return cmd.compat32 ? 'SYNC_PTR32' : 'SYNC_PTR';
    case 'STATUS':
      return cmd.ext ? 'STATUS_EXT' : 'STATUS';
    default:
      return cmd.type;
  }
}

/** A command as a reader would write it, for titles and traces. */
export function describe(cmd: Command): string {
  const { type, ...rest } = cmd as Command & Record<string, unknown>;
  const args = Object.entries(rest)
    .filter(([k, v]) => v !== undefined && k !== 'data')
    .map(([k, v]) => `${k}=${typeof v === 'bigint' ? `${v}` : typeof v === 'object' ? stringify(v) : v}`);
  return args.length ? `${type}(${args.join(' ')})` : type;
}
