// Plain-text tables for the benchmark's report (also pasted into the README as Markdown).

export interface Table {
  title: string;
  head: string[];
  rows: string[][];
  notes?: string[];
}

export function render(t: Table): string {
  const widths = t.head.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [t.title, line(t.head), line(widths.map((w) => '-'.repeat(w))), ...t.rows.map(line), ...(t.notes ?? []).map((n) => `  ${n}`)].join('\n');
}

export function markdown(t: Table): string {
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    `**${t.title}**`,
    '',
    row(t.head),
    row(t.head.map((_, i) => (i === 0 ? '---' : '---:'))),
    ...t.rows.map(row),
    ...(t.notes?.length ? ['', ...t.notes.map((n) => `- ${n}`)] : []),
  ].join('\n');
}

/** A number with three significant digits and an SI suffix: 1.23 G, 456 k. */
export function si(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const units = ['', 'k', 'M', 'G', 'T', 'P', 'E', 'Z'];
  let u = 0;
  while (Math.abs(x) >= 1000 && u < units.length - 1) {
    x /= 1000;
    u++;
  }
  return `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}${units[u] ? ` ${units[u]}` : ''}`;
}

export const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;
export const times = (x: number): string => `${x >= 10 ? x.toFixed(0) : x.toFixed(1)}×`;

export function duration(seconds: number): string {
  if (seconds < 1e-3) return `${(seconds * 1e6).toFixed(0)} µs`;
  if (seconds < 1) return `${(seconds * 1e3).toFixed(seconds < 0.01 ? 2 : 0)} ms`;
  if (seconds < 120) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const years = seconds / (365.25 * 24 * 3600);
  if (years > 1) return `${si(years)} years`;
  return `${(seconds / 60).toFixed(1)} min`;
}
