/**
 * The timeline as one self-contained HTML page: an inline SVG chart (one bar per measure, its
 * exceptions' windows beneath it, suspensions as gaps, cap periods as ticks) and the list of events.
 * No scripts, fonts or stylesheets are fetched: the page can be mailed or archived as is. Pure.
 *
 * @example
 *   const html = renderTimelineHtml(buildTimeline(regime, { jurisdiction: 'CN' }));
 */
import { addDays, type MeasureSpan, type Timeline } from './timeline.js';

const esc = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;

const LEFT = 230;
const WIDTH = 1100;
const ROW = 26;
const SUB = 9;
const TOP = 40;

function rowHeight(s: MeasureSpan): number {
  return ROW + s.exceptions.filter((x) => x.window).length * SUB;
}

/** Renders the timeline page. `title` defaults to one naming the jurisdiction and HS filter. */
export function renderTimelineHtml(t: Timeline, title?: string): string {
  const heading =
    title ?? `Measures in force${t.jurisdiction ? ` — ${t.jurisdiction}` : ''}${t.hs ? ` — HS ${t.hs}` : ''}`;
  const first = t.firstDate ?? '2016-01-01';
  const lastEvent = t.lastDate ?? first;
  // open-ended measures run to the right edge: a year past the last event
  const start = `${first.slice(0, 4)}-01-01`;
  const end = `${Number(addDays(lastEvent, 1).slice(0, 4)) + 1}-01-01`;
  const span = dayNumber(end) - dayNumber(start);
  const x = (date: string | null) =>
    LEFT + ((dayNumber(date ?? end) - dayNumber(start)) / span) * (WIDTH - LEFT - 30);
  const height = TOP + t.spans.reduce((h, s) => h + rowHeight(s), 0) + 20;

  const parts: string[] = [];
  // year and half-year grid
  for (let y = Number(start.slice(0, 4)); y <= Number(end.slice(0, 4)); y++) {
    const gx = x(`${y}-01-01`).toFixed(1);
    parts.push(
      `<line x1="${gx}" y1="${TOP - 12}" x2="${gx}" y2="${height - 10}" class="grid"/><text x="${gx}" y="${TOP - 18}" class="year">${y}</text>`,
    );
    const hx = x(`${y}-07-01`).toFixed(1);
    if (`${y}-07-01` < end)
      parts.push(`<line x1="${hx}" y1="${TOP - 8}" x2="${hx}" y2="${height - 10}" class="half"/>`);
  }
  let y = TOP;
  for (const s of t.spans) {
    const x1 = x(s.from);
    const x2 = Math.max(x(s.to) - x1, 2);
    const range = `${s.from} → ${s.to ? `${addDays(s.to, -1)} (last day)` : 'open'}`;
    const cls = `${s.jurisdiction === 'UN' ? 'un' : 'cn'}${s.kind === 'suspension' ? ' susp' : s.kind === 'unconfirmed-ban' ? ' unc' : ''}`;
    parts.push(
      `<g class="measure" data-measure="${esc(s.measure)}"><title>${esc(`${s.measure}: ${s.title}\n${s.citation}\n${range}${s.endedBy ? `\nended by ${s.endedBy}` : ''}${s.unconfirmed ? '\n(contains UNCONFIRMED facts)' : ''}`)}</title>` +
        `<text x="${LEFT - 8}" y="${y + 15}" class="label">${esc(s.measure)}${s.unconfirmed ? ' *' : ''}</text>` +
        `<rect x="${x1.toFixed(1)}" y="${y + 3}" width="${x2.toFixed(1)}" height="${ROW - 10}" class="${cls}" rx="2"/>`,
    );
    for (const c of s.caps)
      for (const p of c.periods) {
        if (p.from < s.from || (s.to !== null && p.from >= s.to)) continue;
        const px = x(p.from).toFixed(1);
        parts.push(
          `<line x1="${px}" y1="${y + 1}" x2="${px}" y2="${y + ROW - 5}" class="cap"><title>${esc(`cap ${c.id} period from ${p.from}: ${p.limits.map((l) => `${l.amount.toLocaleString('en-US')} ${l.unit}`).join(' or ')}`)}</title></line>`,
        );
      }
    parts.push('</g>');
    let sy = y + ROW - 4;
    for (const ex of s.exceptions) {
      if (!ex.window) continue;
      const ex1 = x(ex.window.from);
      const ex2 = Math.max(x(ex.window.to) - ex1, 2);
      parts.push(
        `<rect x="${ex1.toFixed(1)}" y="${sy}" width="${ex2.toFixed(1)}" height="${SUB - 3}" class="${ex.kind === 'grace' ? 'grace' : 'exc'}"><title>${esc(`${s.measure}/${ex.id} (${ex.kind}): ${ex.title}\n${ex.window.from} → ${ex.window.to ? addDays(ex.window.to, -1) : 'open'}`)}</title></rect>`,
      );
      for (const g of ex.suspensions) {
        const g1 = x(g.from);
        parts.push(
          `<rect x="${g1.toFixed(1)}" y="${sy}" width="${Math.max(x(g.to) - g1, 2).toFixed(1)}" height="${SUB - 3}" class="gap"><title>${esc(`suspended by ${g.by}: ${g.from} → ${g.to ?? 'open'}`)}</title></rect>`,
        );
      }
      sy += SUB;
    }
    y += rowHeight(s);
  }

  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${esc(heading)}">${parts.join('')}</svg>`;
  const rows = t.spans
    .map(
      (s) =>
        `<tr><td>${esc(s.measure)}</td><td>${s.jurisdiction}</td><td>${s.direction}</td><td>${s.kind}</td><td>${s.from}</td><td>${s.to ?? ''}</td><td>${esc(s.endedBy ?? '')}</td><td>${esc(s.title)}</td><td>${esc(s.citation)}</td></tr>`,
    )
    .join('\n');
  const events = t.events
    .map(
      (e) => `<tr><td>${e.date}</td><td>${e.kind}</td><td>${esc(e.measure)}</td><td>${esc(e.text)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(heading)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px} table{border-collapse:collapse;margin:12px 0} td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
.grid{stroke:#bbb} .half{stroke:#eee} .year{font-size:12px;fill:#555;text-anchor:middle} .label{font-size:12px;text-anchor:end}
.un{fill:#3b6fb6} .cn{fill:#c0392b} .susp{fill:#e67e22} .unc{fill-opacity:.35;stroke:#555;stroke-dasharray:4 2} .exc{fill:#7fb77e} .grace{fill:#f1c40f} .gap{fill:#fff;stroke:#e67e22;stroke-dasharray:2 2} .cap{stroke:#111;stroke-width:2}
.legend span{display:inline-block;margin-right:14px} i.un{background:#3b6fb6} i.cn{background:#c0392b} i.susp{background:#e67e22} i.unc{opacity:.35;outline:1px dashed #555} i.exc{background:#7fb77e} i.grace{background:#f1c40f} .sw{display:inline-block;width:12px;height:10px;margin-right:4px;vertical-align:middle}
</style></head>
<body>
<h1>${esc(heading)}</h1>
<p>Regime version <code>${esc(t.regimeVersion)}</code>. Bars run from the first day a measure applies to the day before it stopped (dates are half-open: the "to" date below is the first day it no longer applied). Measures marked * rest on at least one UNCONFIRMED fact.</p>
<p class="legend"><span><i class="sw un"></i>UN measure</span><span><i class="sw cn"></i>China measure</span><span><i class="sw susp"></i>suspension</span><span><i class="sw un unc"></i>existence UNCONFIRMED (held)</span><span><i class="sw exc"></i>exception window</span><span><i class="sw grace"></i>grace window</span><span>| cap period starts</span></p>
${svg}
<h2>Measures</h2>
<table><thead><tr><th>measure</th><th>jurisdiction</th><th>direction</th><th>kind</th><th>from</th><th>to (exclusive)</th><th>ended by</th><th>title</th><th>citation</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>Events</h2>
<table><thead><tr><th>date</th><th>event</th><th>measure</th><th>what</th></tr></thead>
<tbody>
${events}
</tbody></table>
</body></html>
`;
}
