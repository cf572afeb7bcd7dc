// The JSON-lines wire form of the PcmDevice seam (spec/device.ts), spoken by any out-of-process
// implementation put under test — the real-kernel guest agent is one. It lives in spec/ because it
// is the seam's own definition in another encoding, and both sides need it: reference/ (the agent
// and its host) and conformance/ may each import spec/ only.
//
// One JSON object per line, UTF-8, '\n'-terminated. The implementation speaks first:
//   ← {"hello":{"protocol":1,"implementation":"…", …}}
// then answers each request, in order, with the same id:
//   → {"id":1,"op":"open"}                         ← {"id":1,"info":DeviceInfo}
//   → {"id":2,"cmd":{"type":"PVERSION","fd":0}}    ← {"id":2,"outcome":{"ok":true,"value":"131090"}}
//   → {"id":3,"op":"dispose"}                      ← {"id":3,"done":true}
//   → {"id":4,"op":"shutdown"}                     ← {"id":4,"done":true}   (then it exits)
// A request it cannot carry out at all (not an errno: a broken invariant) is answered
//   ← {"id":n,"error":"message"}.
// bigint fields (frame counters of type snd_pcm_uframes_t) travel as decimal strings, byte data
// (Uint8Array) as base64 strings; every other field is plain JSON.
import type { Command, DeviceInfo, Outcome } from './device.ts';

export const PROTOCOL_VERSION = 1;

export interface Hello {
  protocol: number;
  implementation: string;
  /** Anything else the implementation wants to say about itself (kernel release, …). */
  [k: string]: unknown;
}

export type SessionOp = 'open' | 'dispose' | 'shutdown';
export type Request = { id: number; cmd: Command } | { id: number; op: SessionOp };
export type Response =
  | { id: number; outcome: Outcome }
  | { id: number; info: DeviceInfo }
  | { id: number; done: true }
  | { id: number; error: string };

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

// -- field tables: which fields are bigint, which are bytes -------------------------------------

const BIG_CMD: Partial<Record<Command['type'], readonly string[]>> = {
  SYNC_PTR: ['appl_ptr', 'avail_min'],
  REWIND: ['frames'],
  FORWARD: ['frames'],
  CONTROL_WRITE: ['appl_ptr', 'avail_min'],
};
const BIG_SW = ['avail_min', 'start_threshold', 'stop_threshold', 'silence_threshold', 'silence_size'] as const;
const BIG_STATUS = ['appl_ptr', 'hw_ptr', 'delay', 'avail', 'avail_max'] as const;
const BIG_PTRS = ['hw_ptr', 'appl_ptr', 'avail_min'] as const;

const toB64 = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');
const fromB64 = (s: unknown, what: string) => {
  if (typeof s !== 'string') throw new ProtocolError(`${what}: expected a base64 string`);
  return new Uint8Array(Buffer.from(s, 'base64'));
};
const toBig = (x: unknown, what: string): bigint => {
  if (typeof x === 'string' && /^-?\d+$/.test(x)) return BigInt(x);
  if (typeof x === 'number' && Number.isSafeInteger(x)) return BigInt(x);
  throw new ProtocolError(`${what}: expected a decimal string, got ${JSON.stringify(x)}`);
};

/** JSON.stringify that writes bigints as decimal strings and byte arrays as base64. */
export function stringifyLine(msg: unknown): string {
  return JSON.stringify(msg, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array) return toB64(v);
    return v;
  });
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

function bigFields(o: Obj, fields: readonly string[], where: string): void {
  for (const f of fields) if (o[f] !== undefined) o[f] = toBig(o[f], `${where}.${f}`);
}

/** Restores a command's bigint and byte fields after JSON.parse. */
export function reviveCommand(x: unknown): Command {
  if (!isObj(x) || typeof x.type !== 'string') throw new ProtocolError('cmd: expected an object with a type');
  const c = { ...x };
  bigFields(c, BIG_CMD[c.type as Command['type']] ?? [], c.type as string);
  if (c.type === 'SW_PARAMS') {
    if (!isObj(c.params)) throw new ProtocolError('SW_PARAMS.params: expected an object');
    c.params = { ...c.params };
    bigFields(c.params as Obj, BIG_SW, 'SW_PARAMS.params');
  }
  if (c.data !== undefined) c.data = fromB64(c.data, `${c.type}.data`);
  return c as unknown as Command;
}

/** Restores an outcome's bigint and byte fields after JSON.parse. */
export function reviveOutcome(x: unknown): Outcome {
  if (!isObj(x) || typeof x.ok !== 'boolean') throw new ProtocolError('outcome: expected an object with ok');
  const o = { ...x };
  if (o.ok === false) return o as unknown as Outcome;
  bigFields(o, ['value'], 'outcome');
  if (isObj(o.status)) bigFields((o.status = { ...o.status }) as Obj, BIG_STATUS, 'outcome.status');
  if (isObj(o.sync)) bigFields((o.sync = { ...o.sync }) as Obj, BIG_PTRS, 'outcome.sync');
  if (isObj(o.peek)) bigFields((o.peek = { ...o.peek }) as Obj, BIG_PTRS, 'outcome.peek');
  if (o.data !== undefined) o.data = fromB64(o.data, 'outcome.data');
  return o as unknown as Outcome;
}

function parseJson(line: string): Obj {
  let x: unknown;
  try {
    x = JSON.parse(line);
  } catch {
    throw new ProtocolError(`not JSON: ${line.slice(0, 200)}`);
  }
  if (!isObj(x)) throw new ProtocolError(`not a JSON object: ${line.slice(0, 200)}`);
  return x;
}

/** One request line, as the implementation reads it. */
export function parseRequest(line: string): Request {
  const x = parseJson(line);
  if (typeof x.id !== 'number') throw new ProtocolError('request: no numeric id');
  if (x.cmd !== undefined) return { id: x.id, cmd: reviveCommand(x.cmd) };
  if (x.op === 'open' || x.op === 'dispose' || x.op === 'shutdown') return { id: x.id, op: x.op };
  throw new ProtocolError(`request ${x.id}: neither cmd nor a known op`);
}

/** One line from the implementation, as the harness reads it: its hello, or a response. */
export function parseResponse(line: string): Response | { hello: Hello } {
  const x = parseJson(line);
  if (isObj(x.hello)) {
    const h = x.hello as Hello;
    if (h.protocol !== PROTOCOL_VERSION) throw new ProtocolError(`protocol ${String(h.protocol)}; this harness speaks ${PROTOCOL_VERSION}`);
    return { hello: h };
  }
  if (typeof x.id !== 'number') throw new ProtocolError(`response without an id: ${line.slice(0, 200)}`);
  if (x.outcome !== undefined) return { id: x.id, outcome: reviveOutcome(x.outcome) };
  if (isObj(x.info)) return { id: x.id, info: x.info as unknown as DeviceInfo };
  if (x.done === true) return { id: x.id, done: true };
  if (typeof x.error === 'string') return { id: x.id, error: x.error };
  throw new ProtocolError(`response ${x.id}: no outcome, info, done or error`);
}
