// Sets of byte ranges [from, to) of a buffer, kept sorted and disjoint: where one view of a
// buffer holds newer bytes than the other.
export type Range = readonly [from: number, to: number];

export function add(set: readonly Range[], r: Range): Range[] {
  if (r[1] <= r[0]) return [...set];
  const out: Range[] = [];
  let [a, b] = r;
  for (const [x, y] of set) {
    if (y < a || x > b) out.push([x, y]);
    else {
      a = Math.min(a, x);
      b = Math.max(b, y);
    }
  }
  out.push([a, b]);
  return out.sort((p, q) => p[0] - q[0]);
}

export function remove(set: readonly Range[], r: Range): Range[] {
  const out: Range[] = [];
  for (const [x, y] of set) {
    if (y <= r[0] || x >= r[1]) out.push([x, y]);
    else {
      if (x < r[0]) out.push([x, r[0]]);
      if (y > r[1]) out.push([r[1], y]);
    }
  }
  return out;
}

export const overlaps = (set: readonly Range[], r: Range): boolean => set.some(([x, y]) => x < r[1] && y > r[0]);

/** Whether `set` covers byte `i`. */
export const covers = (set: readonly Range[], i: number): boolean => set.some(([x, y]) => x <= i && i < y);
