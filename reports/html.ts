// Building blocks of the static HTML report: escaping, the spec's inline Markdown, the page frame
// and the stylesheet. Pages link to each other with relative paths, so the report opens from disk.

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The spec's inline Markdown: `code` (a rule id in backticks becomes a link), **bold**, *em*. */
export function inlineMd(text: string, ruleHref: (id: string) => string | null): string {
  const parts = text.split(/(`[^`]*`)/);
  return parts
    .map((p) => {
      if (p.startsWith('`') && p.endsWith('`') && p.length >= 2) {
        const inner = p.slice(1, -1);
        const href = ruleHref(inner);
        return href ? `<a href="${esc(href)}"><code>${esc(inner)}</code></a>` : `<code>${esc(inner)}</code>`;
      }
      return esc(p)
        .replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>')
        .replace(/(^|[\s(])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>');
    })
    .join('');
}

/** A status badge: PASS, FAIL, ERROR, UNSUPPORTED, UNCOVERED, or an edge status. */
export function badge(status: string | null, title?: string): string {
  if (status === null) return '<span class="st st-none" title="not in this run">—</span>';
  const t = title ? ` title="${esc(title)}"` : '';
  return `<span class="st st-${esc(status.toLowerCase())}"${t}>${esc(status)}</span>`;
}

export interface Nav {
  /** Path from the page to the report root: '' or '../'. */
  root: string;
  machines: Array<{ id: string; href: string }>;
  failures: number;
}

export function page(title: string, nav: Nav, body: string): string {
  const r = nav.root;
  const links = [
    `<a href="${r}index.html">Summary</a>`,
    `<a href="${r}rules.html">Rules</a>`,
    `<a href="${r}tests.html">Tests</a>`,
    `<a href="${r}failures.html">Failures${nav.failures ? ` <span class="count">${nav.failures}</span>` : ''}</a>`,
    ...nav.machines.map((m) => `<a href="${r}${esc(m.href)}">Diagram: ${esc(m.id)}</a>`),
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} — alsa-spec</title>
<link rel="stylesheet" href="${r}report.css">
</head>
<body>
<header><span class="brand">alsa-spec</span><nav>${links.join('\n')}</nav></header>
<main>
<h1>${esc(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

export function table(head: string[], rows: string[][], cls = ''): string {
  const th = head.map((h) => `<th>${h}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

export const CSS = `:root { --fg: #1d2733; --muted: #5f6b76; --line: #d9dee3; --bg: #fbfcfd; --link: #1f5fa8; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; gap: 1.5em; align-items: baseline; padding: .6em 1.2em; background: #263238; color: #eceff1; flex-wrap: wrap; }
header .brand { font-weight: 700; letter-spacing: .02em; }
header nav { display: flex; gap: 1.1em; flex-wrap: wrap; }
header a { color: #cfd8dc; text-decoration: none; }
header a:hover { color: #fff; text-decoration: underline; }
.count { background: #c62828; color: #fff; border-radius: 8px; padding: 0 .45em; font-size: 12px; }
main { padding: 1em 1.6em 3em; max-width: 1400px; }
h1 { font-size: 1.5em; margin: .3em 0 .6em; }
h2 { font-size: 1.2em; margin: 1.6em 0 .5em; border-bottom: 1px solid var(--line); padding-bottom: .2em; }
h3 { font-size: 1.05em; margin: 1.2em 0 .4em; }
a { color: var(--link); }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
code { background: #eef1f4; padding: 0 .25em; border-radius: 3px; }
pre { background: #eef1f4; padding: .6em .8em; border-radius: 4px; overflow-x: auto; white-space: pre-wrap; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border: 1px solid var(--line); padding: .25em .55em; text-align: left; vertical-align: top; }
th { background: #eef1f4; font-weight: 600; }
tr:target td { background: #fff8e1; }
.muted { color: var(--muted); }
.st { display: inline-block; min-width: 5.5em; text-align: center; border-radius: 3px; padding: 0 .4em; font-size: 12px; font-weight: 600; }
.st-pass, .st-exercised { background: #e3f2e5; color: #1b5e20; }
.st-fail, .st-failed { background: #fde7e7; color: #b71c1c; }
.st-error { background: #ffe9d6; color: #a84300; }
.st-unsupported { background: #efe7f6; color: #5b3a7e; }
.st-uncovered, .st-unreached { background: #fff6d6; color: #7a5b00; }
.st-none { color: var(--muted); }
dl.rule { display: grid; grid-template-columns: 8em 1fr; gap: .35em 1em; }
dl.rule dt { font-weight: 600; color: var(--muted); }
dl.rule dd { margin: 0; }
.cards { display: flex; gap: 1em; flex-wrap: wrap; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .7em 1em; background: #fff; min-width: 17em; }
.card h3 { margin-top: 0; }
.card.bad { border-color: #e57373; }
.card.good { border-color: #81c784; }
.diagram { overflow-x: auto; border: 1px solid var(--line); background: #fff; padding: .5em; border-radius: 6px; }
.diagram svg { max-width: 100%; height: auto; }
.legend span { margin-right: 1em; }
.legend i { display: inline-block; width: 2em; height: 0; border-top: 3px solid; vertical-align: middle; margin-right: .3em; }
tr.bad td { background: #fdeeee; }
.replay { user-select: all; }
`;
