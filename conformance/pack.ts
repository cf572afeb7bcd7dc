// PCM contexts as rows of 32-bit integers, exactly: what fast exploration stores and compares
// instead of objects or strings. A row holds every field of the context that can change — each
// stream's fields in the order freshStream() lists them, then the card's, the card's memory
// flattened into its leaves — and leaves out the constant input (kernel, caps, files) and the
// previous event's outcome (last, lastRules, lastSyncs), which no transition reads. Small
// non-negative integers and bigints are stored as themselves; anything else (larger values,
// strings, objects such as the hardware setup or a runtime buffer) as a negative reference into a
// table of the values seen, so unpack(pack(ctx)) gives the same context back.
import { freshStream, initialContext, type PcmContext, type PcmInput, type StreamCtx } from '../machines/pcm/context.ts';
import { stringify } from './codec.ts';

/** Context fields that are input (constant) or the last outcome: not part of a state. */
const CONSTANT = new Set(['kernel', 'caps', 'files']);
const OUTCOME = new Set(['last', 'lastRules', 'lastSyncs']);

type Kind = 'bool' | 'int' | 'big' | 'ref';

/** A card field, or a leaf of one that is a plain object (its path from the context). */
interface CardField {
  path: string[];
  kind: Kind;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

/** The leaves of a card field: the field itself, or, for a plain object of a fixed shape (the
 * card's memory: its accounting, each substream's setup), each of its values, recursively, in
 * order. A leaf per value keeps the memory, which every context decide() makes has afresh, out of
 * the reference table. */
function leaves(path: string[], v: unknown): CardField[] {
  if (!isPlainObject(v) || Object.keys(v).length === 0) return [{ path, kind: kindOf(v) }];
  return Object.entries(v).flatMap(([k, x]) => leaves([...path, k], x));
}

const kindOf = (v: unknown): Kind =>
  typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'int' : typeof v === 'bigint' ? 'big' : 'ref';

const STREAM_FIELDS: readonly { key: keyof StreamCtx; kind: Kind }[] = Object.entries(freshStream()).map(([key, v]) => ({
  key: key as keyof StreamCtx,
  kind: kindOf(v),
}));

const DIRECT = 2 ** 31;
const DIRECT_BIG = 2n ** 31n;

/**
 * Text that tells values apart: cheap for flat objects and arrays of primitives (setups, groups).
 * A nested object is named by `nested`, the id its own value has in the packer's table (the card's
 * memory is new in every context decide() makes, but its substreams' setups are shared, and
 * spelling the whole tree out as JSON was most of an exploration's time).
 */
function textOf(v: unknown, nested: (x: object) => number): string {
  if (typeof v === 'string') return `s${v}`;
  if (v === null || typeof v !== 'object') return `p${String(v)}`;
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) return `a${v.join(',')}`;
  if (Array.isArray(v) || v instanceof Uint8Array) return `j${stringify(v)}`;
  let out = 'o';
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    out += `${k}:${x !== null && typeof x === 'object' ? `@${nested(x)}` : typeof x === 'bigint' ? `${x}n` : typeof x === 'string' ? JSON.stringify(x) : String(x)},`;
  }
  return out;
}

export class ContextPacker {
  /** Words per row. */
  readonly width: number;
  /** The card's fields, plain objects (the card's memory) flattened into their leaves. */
  private readonly cardFields: CardField[];
  /** Top-level card fields that are flattened objects: unpack() rebuilds them. */
  private readonly trees: string[];
  private readonly template: PcmContext;
  private readonly refs: unknown[] = [];
  private readonly refIds = new Map<string, number>();
  private readonly refSeen = new Map<unknown, number>();
  private readonly strIds = new Map<string, number>();
  private emptyId = -1;
  private readonly scratch: Int32Array;
  private readonly bigs: bigint[] = [];
  private readonly bigIds = new Map<bigint, number>();
  private readonly ints: number[] = [];
  private readonly intIds = new Map<number, number>();

  constructor(input: PcmInput & { files: 1 | 2 }) {
    this.template = initialContext(input);
    this.cardFields = Object.entries(this.template)
      .filter(([k]) => k !== 'streams' && !CONSTANT.has(k) && !OUTCOME.has(k))
      .flatMap(([key, v]) => leaves([key], v));
    this.trees = [...new Set(this.cardFields.filter((f) => f.path.length > 1).map((f) => f.path[0]!))];
    this.width = this.cardFields.length + input.files * STREAM_FIELDS.length;
    this.scratch = new Int32Array(this.width);
    this.packFn = this.compilePack();
  }

  private readonly packFn: (ctx: PcmContext, out: Int32Array, at: number) => void;

  /**
   * pack() as code generated from the field list: one named property load per field, where a loop
   * over the keys made every load a megamorphic keyed one (a third of the exploration's time). The
   * code is made once per field list and shared by every packer, so it stays optimised.
   */
  private compilePack(): (ctx: PcmContext, out: Int32Array, at: number) => void {
    const sig = JSON.stringify([this.cardFields, STREAM_FIELDS]);
    let code = compiledPacks.get(sig);
    if (!code) compiledPacks.set(sig, (code = generatePack(this.cardFields)));
    const word = (kind: Kind, v: unknown) => this.word(kind, v);
    const f = code;
    return (ctx, out, at) => f(ctx, out, at, word);
  }

  /** A nested object's id in the reference table (see textOf). */
  private readonly nested = (x: object): number => this.word('ref', x);

  private word(kind: Kind, v: unknown): number {
    switch (kind) {
      case 'bool':
        return v ? 1 : 0;
      case 'int': {
        const n = v as number;
        if (Number.isInteger(n) && n >= 0 && n < DIRECT) return n;
        let id = this.intIds.get(n);
        if (id === undefined) this.intIds.set(n, (id = this.ints.push(n) - 1));
        return -1 - id;
      }
      case 'big': {
        const b = v as bigint;
        if (b >= 0n && b < DIRECT_BIG) return Number(b);
        let id = this.bigIds.get(b);
        if (id === undefined) this.bigIds.set(b, (id = this.bigs.push(b) - 1));
        return -1 - id;
      }
      case 'ref': {
        if (typeof v === 'string') {
          const sid = this.strIds.get(v);
          if (sid !== undefined) return sid;
        }
        if (Array.isArray(v) && v.length === 0) {
          // the group, mostly: every copy of a context has a new empty one
          if (this.emptyId < 0) {
            const k = textOf(v, this.nested);
            let e = this.refIds.get(k);
            if (e === undefined) this.refIds.set(k, (e = this.refs.push(v) - 1));
            this.emptyId = e;
          }
          return this.emptyId;
        }
        // by identity first: contexts share their setups, so text is rarely needed
        let id = this.refSeen.get(v);
        if (id !== undefined) return id;
        const k = textOf(v, this.nested);
        id = this.refIds.get(k);
        if (id === undefined) this.refIds.set(k, (id = this.refs.push(v) - 1));
        if (typeof v === 'string') this.strIds.set(v, id);
        else {
          if (this.refSeen.size >= 1 << 16) this.refSeen.clear(); // a cache: keep it small
          this.refSeen.set(v, id);
        }
        return id;
      }
    }
  }

  private value(kind: Kind, w: number): unknown {
    switch (kind) {
      case 'bool':
        return w === 1;
      case 'int':
        return w >= 0 ? w : this.ints[-1 - w];
      case 'big':
        return w >= 0 ? BigInt(w) : this.bigs[-1 - w];
      case 'ref':
        return this.refs[w];
    }
  }

  /** Writes `ctx` as a row into `out` at `at`. */
  pack(ctx: PcmContext, out: Int32Array, at = 0): void {
    this.packFn(ctx, out, at);
  }

  /** The context a row stands for (last: ok, no rules, no syncs). */
  unpack(row: Int32Array, at = 0): PcmContext {
    let k = at;
    const t = this.template;
    const ctx: Record<string, unknown> = { ...t };
    for (const key of this.trees) ctx[key] = {};
    for (const f of this.cardFields) {
      let o = ctx;
      for (let d = 0; d < f.path.length - 1; d++) o = (o[f.path[d]!] ??= {}) as Record<string, unknown>;
      o[f.path.at(-1)!] = this.value(f.kind, row[k++]!);
    }
    const streams: StreamCtx[] = [];
    for (let i = 0; i < t.files; i++) {
      const s: Record<string, unknown> = {};
      for (const f of STREAM_FIELDS) s[f.key] = this.value(f.kind, row[k++]!);
      streams.push(s as unknown as StreamCtx);
    }
    ctx.streams = streams;
    ctx.last = { ok: true };
    ctx.lastRules = [];
    ctx.lastSyncs = [];
    return ctx as unknown as PcmContext;
  }

  /** The state identity as text, cheaply: the row's words (table indices are this packer's own). */
  rowKey(ctx: PcmContext): string {
    this.pack(ctx, this.scratch);
    return this.scratch.join(',');
  }

  /** The state identity as text with values spelt out (comparable across packers). */
  key(ctx: PcmContext): string {
    const row = new Int32Array(this.width);
    this.pack(ctx, row);
    return this.describe(row);
  }

  /** A row as text whose equality is the row's: values, not table indices. */
  describe(row: Int32Array, at = 0): string {
    const parts: string[] = [];
    let k = at;
    const show = (kind: Kind, w: number) => {
      const v = this.value(kind, w);
      return typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? v : stringify(v);
    };
    for (const f of this.cardFields) parts.push(show(f.kind, row[k++]!));
    for (let i = 0; i < this.template.files; i++) for (const f of STREAM_FIELDS) parts.push(show(f.kind, row[k++]!));
    return parts.join('|');
  }
}

type PackCode = (ctx: PcmContext, out: Int32Array, at: number, word: (kind: Kind, v: unknown) => number) => void;
const compiledPacks = new Map<string, PackCode>();

function generatePack(cardFields: readonly CardField[]): PackCode {
  const expr = (kind: Kind, v: string) => {
    switch (kind) {
      case 'bool':
        return `(${v} ? 1 : 0)`;
      case 'int':
        return `(${v} >= 0 && ${v} < ${DIRECT} && Math.floor(${v}) === ${v} ? ${v} : word('int', ${v}))`;
      case 'big':
        return `(${v} >= 0n && ${v} < ${DIRECT}n ? Number(${v}) : word('big', ${v}))`;
      case 'ref':
        return `word('ref', ${v})`;
    }
  };
  const lines = ['let k = at, v;'];

  for (const f of cardFields) lines.push(`v = ctx${f.path.map((p) => `[${JSON.stringify(p)}]`).join('')}; out[k++] = ${expr(f.kind, 'v')};`);
  lines.push('const streams = ctx.streams;', 'for (let i = 0; i < streams.length; i++) {', '  const s = streams[i];');
  for (const f of STREAM_FIELDS) lines.push(`  v = s[${JSON.stringify(f.key)}]; out[k++] = ${expr(f.kind, 'v')};`);
  lines.push('}');
  return new Function('ctx', 'out', 'at', 'word', lines.join('\n')) as PackCode;
}

/** The fields a row holds per stream, in order (tests check that every field is there). */
export const PACKED_STREAM_FIELDS: readonly string[] = STREAM_FIELDS.map((f) => f.key);
