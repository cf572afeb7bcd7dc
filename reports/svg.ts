// DOT → SVG in-process with Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz): no system
// Graphviz. The module is loaded once, on first use.
import { Graphviz } from '@hpcc-js/wasm-graphviz';

let loading: Promise<Graphviz> | null = null;

function graphviz(): Promise<Graphviz> {
  loading ??= Graphviz.load();
  return loading;
}

/** The Graphviz version that renders (part of every SVG's header comment). */
export async function graphvizVersion(): Promise<string> {
  return (await graphviz()).version();
}

/** Lays out and renders DOT as a standalone SVG document. Throws on a DOT syntax error. */
export async function renderSvg(dot: string): Promise<string> {
  const gv = await graphviz();
  return gv.dot(dot, 'svg');
}

/** The `<svg>` element of a rendered document, for inlining into HTML (no XML prolog, DOCTYPE or
 * generator comments). */
export function inlineSvg(svg: string): string {
  const start = svg.indexOf('<svg');
  return start < 0 ? svg : svg.slice(start).trimEnd();
}
