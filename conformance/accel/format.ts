// One-line text for commands and outcomes: JSON with bigints as "123n" and bytes as hex.
export function show(v: unknown): string {
  return JSON.stringify(v, (_, x) => {
    if (typeof x === 'bigint') return `${x}n`;
    if (x instanceof Uint8Array) return `hex:${Buffer.from(x).toString('hex')}`;
    if (x instanceof SharedArrayBuffer) return `SharedArrayBuffer(${x.byteLength})`;
    return x;
  });
}

/** The inverse of show() for commands: "123n" back to bigint, "hex:…" back to bytes. */
export function parse<T>(text: string): T {
  return JSON.parse(text, (_, x) => {
    if (typeof x === 'string' && /^-?\d+n$/.test(x)) return BigInt(x.slice(0, -1));
    if (typeof x === 'string' && x.startsWith('hex:')) return new Uint8Array(Buffer.from(x.slice(4), 'hex'));
    return x;
  }) as T;
}
