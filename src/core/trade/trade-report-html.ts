/**
 * The trade report as one self-contained HTML page: inline CSS and inline SVG charts, no script
 * and nothing fetched from anywhere, so it can be mailed, archived or opened offline. Charts:
 * monthly totals with the measures' effective dates marked, value vs tonnage vs unit value of the
 * key goods, and the share of imports in sanctioned goods; then tables for measures, movers,
 * aggregates and conflicts. Unreported months are drawn as gaps, never as zero.
 */
import { monthIndex } from './observation.js';
import type { TradeReport } from './trade-report.js';

const esc = (s: unknown) =>
  String(s ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

const num = (v: number | undefined, digits = 1) =>
  v === undefined || !Number.isFinite(v)
    ? '—'
    : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
const usdM = (v: number | undefined) =>
  v === undefined ? 'unreported' : `${v < 0 ? '−' : ''}$${num(Math.abs(v) / 1e6, 1)}m`;

interface ChartSeries {
  name: string;
  color: string;
  values: (number | undefined)[];
}

interface Marker {
  date: string;
  label: string;
}

const W = 920;
const PAD = { l: 64, r: 16, t: 40, b: 34 };

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  const m = v / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

function lineChart(opts: {
  id: string;
  title: string;
  months: string[];
  series: ChartSeries[];
  markers: Marker[];
  format: (v: number) => string;
  height?: number;
  /** numbered badges on the date lines (the main chart); small panels draw plain lines */
  numbered?: boolean;
}): string {
  const H = opts.height ?? 260;
  const { months } = opts;
  const n = months.length;
  const innerW = W - PAD.l - PAD.r;
  const innerH = H - PAD.t - PAD.b;
  const all = opts.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined));
  const minV = Math.min(0, ...all);
  const maxV = niceMax(Math.max(...all, 0));
  const x = (i: number) => PAD.l + (n <= 1 ? innerW / 2 : (i / (n - 1)) * innerW);
  const y = (v: number) => PAD.t + innerH - ((v - minV) / (maxV - minV || 1)) * innerH;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" id="${esc(opts.id)}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(opts.title)}">`,
  );
  // unreported months: a pale band, so a gap reads as "nobody reported this", not as zero
  months.forEach((m, i) => {
    if (opts.series.every((s) => s.values[i] === undefined)) {
      const w = n <= 1 ? innerW : innerW / (n - 1);
      parts.push(
        `<rect class="unreported" data-month="${m}" x="${x(i) - w / 2}" y="${PAD.t}" width="${w}" height="${innerH}"><title>${m}: unreported</title></rect>`,
      );
    }
  });
  for (let k = 0; k <= 4; k++) {
    const v = minV + ((maxV - minV) * k) / 4;
    parts.push(
      `<line class="grid" x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(v)}" y2="${y(v)}"/><text class="axis" x="${PAD.l - 6}" y="${y(v) + 4}" text-anchor="end">${esc(opts.format(v))}</text>`,
    );
  }
  months.forEach((m, i) => {
    if (m.endsWith('-01') || n <= 14 || i === 0) {
      parts.push(
        `<text class="axis" x="${x(i)}" y="${H - PAD.b + 16}" text-anchor="middle">${m.endsWith('-01') || i === 0 ? m : m.slice(5)}</text>`,
      );
    }
  });
  // effective dates of measures: one dashed line per date, numbered; the numbers are explained
  // under the main chart (several measures often share a date, and labels would collide)
  const dates = [...new Set(opts.markers.map((m) => m.date))].sort();
  let lastBadge = -Infinity;
  let row = 0;
  for (const [k, date] of dates.entries()) {
    const labels = opts.markers.filter((m) => m.date === date).map((m) => m.label);
    const mi = monthIndex(date.slice(0, 7)) - monthIndex(months[0] ?? date.slice(0, 7));
    if (mi < 0 || mi > n - 1) continue;
    const pos = x(mi) + ((Number(date.slice(8, 10)) - 1) / 30) * (n <= 1 ? 0 : innerW / (n - 1));
    // badges closer than their width go on a second row
    row = pos - lastBadge < 16 ? 1 - row : 0;
    lastBadge = pos;
    const by = PAD.t - 8 - row * 15;
    const badge = opts.numbered
      ? `<circle cx="${pos}" cy="${by}" r="7"/><text x="${pos}" y="${by + 3}" text-anchor="middle">${k + 1}</text>`
      : '';
    parts.push(
      `<g class="measure-marker" data-date="${date}"><line x1="${pos}" x2="${pos}" y1="${PAD.t}" y2="${PAD.t + innerH}"/>${badge}<title>${esc(`${date}: ${labels.join(', ')}`)}</title></g>`,
    );
  }
  for (const s of opts.series) {
    let d = '';
    let open = false;
    s.values.forEach((v, i) => {
      if (v === undefined) {
        open = false;
        return;
      }
      d += `${open ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      open = true;
    });
    parts.push(`<path class="series" data-series="${esc(s.name)}" d="${d}" stroke="${s.color}"/>`);
    s.values.forEach((v, i) => {
      if (v === undefined) return;
      parts.push(
        `<circle class="point" data-series="${esc(s.name)}" cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${s.color}"><title>${esc(`${s.name} ${months[i]}: ${opts.format(v)}`)}</title></circle>`,
      );
    });
  }
  parts.push('</svg>');
  const legend = opts.series
    .map((s) => `<span class="key"><i style="background:${s.color}"></i>${esc(s.name)}</span>`)
    .join('');
  return `<figure><figcaption>${esc(opts.title)}</figcaption>${parts.join('')}<div class="legend">${legend}<span class="key"><i class="band"></i>unreported</span><span class="key"><i class="mark"></i>measure takes effect</span></div></figure>`;
}

function shareChart(r: TradeReport, markers: Marker[]): string {
  const H = 220;
  const months = r.months;
  const n = months.length;
  const innerW = W - PAD.l - PAD.r;
  const innerH = H - PAD.t - PAD.b;
  const bw = Math.max(2, innerW / Math.max(n, 1) - 2);
  const x = (i: number) => PAD.l + (i * innerW) / Math.max(n, 1);
  const parts = [
    `<svg class="chart" id="chart-share" viewBox="0 0 ${W} ${H}" role="img" aria-label="Share of imports in sanctioned goods">`,
  ];
  for (const k of [0, 25, 50, 75, 100]) {
    const yy = PAD.t + innerH - (k / 100) * innerH;
    parts.push(
      `<line class="grid" x1="${PAD.l}" x2="${W - PAD.r}" y1="${yy}" y2="${yy}"/><text class="axis" x="${PAD.l - 6}" y="${yy + 4}" text-anchor="end">${k}%</text>`,
    );
  }
  for (const s of r.share) {
    const i = months.indexOf(s.month);
    if (i < 0) continue;
    const pct = Math.min(100, s.sharePct);
    const hs = (pct / 100) * innerH;
    parts.push(
      `<g class="share-bar" data-month="${s.month}"><rect class="unsanctioned" x="${x(i)}" y="${PAD.t}" width="${bw}" height="${innerH - hs}"/>` +
        `<rect class="sanctioned" x="${x(i)}" y="${PAD.t + innerH - hs}" width="${bw}" height="${hs}"/>` +
        `<title>${esc(`${s.month}: ${num(s.sharePct)}% of ${usdM(s.total)} imports in goods under a measure in force (${s.commodities.join(', ')})`)}</title></g>`,
    );
  }
  months.forEach((m, i) => {
    if (m.endsWith('-01') || i === 0) {
      parts.push(`<text class="axis" x="${x(i)}" y="${H - PAD.b + 16}">${m}</text>`);
    }
  });
  const seen = new Set<string>();
  for (const mk of markers) {
    if (seen.has(mk.date)) continue;
    seen.add(mk.date);
    const i = monthIndex(mk.date.slice(0, 7)) - monthIndex(months[0] ?? mk.date.slice(0, 7));
    if (i < 0 || i >= n) continue;
    const pos = x(i) + ((Number(mk.date.slice(8, 10)) - 1) / 30) * (innerW / Math.max(n, 1));
    parts.push(
      `<g class="measure-marker" data-date="${mk.date}"><line x1="${pos}" x2="${pos}" y1="${PAD.t}" y2="${PAD.t + innerH}"/></g>`,
    );
  }
  parts.push('</svg>');
  return `<figure><figcaption>Share of China's imports from the DPRK in goods under a measure in force (by value; only months where both the total and a covered good were reported)</figcaption>${parts.join('')}<div class="legend"><span class="key"><i style="background:#c0392b"></i>sanctioned goods (as reported)</span><span class="key"><i style="background:#d5dde5"></i>everything else</span></div></figure>`;
}

function table(headers: string[], rows: string[][], cls = ''): string {
  if (!rows.length) return '<p class="none">None in this period.</p>';
  return `<table class="${cls}"><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/**
 * The whole page as one string.
 * @example writeFileSync('trade.html', renderTradeReportHtml(buildTradeReport({ observations, measures })))
 */
export function renderTradeReportHtml(r: TradeReport): string {
  const markers: Marker[] = r.sanctions.map((s) => ({
    date: s.effectiveFrom,
    label: `${s.measureId} ${s.title}`,
  }));
  const totals = lineChart({
    id: 'chart-totals',
    title: `Monthly trade, China–${r.partner} (US$ million, China's customs view)`,
    months: r.months,
    series: [
      { name: 'China imports from DPRK', color: '#c0392b', values: r.monthly.map((m) => m.import.value) },
      { name: 'China exports to DPRK', color: '#2471a3', values: r.monthly.map((m) => m.export.value) },
      { name: 'Two-way total', color: '#7d8a96', values: r.monthly.map((m) => m.total.value) },
    ].map((s) => ({ ...s, values: s.values.map((v) => (v === undefined ? undefined : v / 1e6)) })),
    markers,
    format: (v) => num(v, 0),
    numbered: true,
  });
  const dateList = `<ol class="dates">${[...new Set(markers.map((m) => m.date))]
    .sort()
    .map(
      (d) =>
        `<li><b>${esc(d)}</b> ${esc(
          r.sanctions
            .filter((s) => s.effectiveFrom === d)
            .map((s) => s.measureId)
            .join(', '),
        )}</li>`,
    )
    .join('')}</ol>`;
  const panels = r.commodities
    .map((c) => {
      const label = `${c.commodity}${c.label ? ` ${c.label}` : ''} (${c.flow})`;
      const own = r.sanctions
        .filter((s) => s.commodities.some((x) => x.commodity === c.commodity && x.coverage === 'covered'))
        .map((s) => ({ date: s.effectiveFrom, label: s.measureId }));
      const uvPoints = c.unitValue.points.filter((p) => p.value !== undefined).length;
      return `<section class="panel"><h3>${esc(label)}: value, volume and unit value</h3>${lineChart({
        id: `chart-value-${c.commodity}`,
        title: `Value (US$ million)`,
        months: r.months,
        series: [
          {
            name: 'value',
            color: '#c0392b',
            values: c.value.points.map((p) => (p.value === undefined ? undefined : p.value / 1e6)),
          },
        ],
        markers: own,
        format: (v) => num(v, 0),
        height: 170,
      })}${lineChart({
        id: `chart-quantity-${c.commodity}`,
        title: `Quantity (thousand tonnes)`,
        months: r.months,
        series: [
          {
            name: 'tonnes',
            color: '#1e8449',
            values: c.quantity.points.map((p) => (p.value === undefined ? undefined : p.value / 1e3)),
          },
        ],
        markers: own,
        format: (v) => num(v, 0),
        height: 170,
      })}${
        uvPoints < 2
          ? `<p class="none">Unit value: ${uvPoints ? 'only one month' : 'no month'} reports both value and tonnage.</p>`
          : lineChart({
              id: `chart-unit-value-${c.commodity}`,
              title: `Unit value (US$ per tonne; only months reporting both)`,
              months: r.months,
              series: [{ name: 'US$/t', color: '#7d3c98', values: c.unitValue.points.map((p) => p.value) }],
              markers: own,
              format: (v) => num(v, 0),
              height: 170,
            })
      }</section>`;
    })
    .join('');

  // a good with nothing reported on either side of the date tells the reader nothing
  const informative = (c: {
    before: { monthsWithValue: number; monthsWithQuantity: number };
    after: { monthsWithValue: number; monthsWithQuantity: number };
    reportedChanges: unknown[];
  }) =>
    c.before.monthsWithValue +
      c.before.monthsWithQuantity +
      c.after.monthsWithValue +
      c.after.monthsWithQuantity >
      0 || c.reportedChanges.length > 0;
  const measureRows = r.sanctions.flatMap((s) => [
    ...s.commodities
      .filter(informative)
      .map((c) => [
        `<b>${esc(s.measureId)}</b><br><span class="muted">${esc(s.instrument)}</span>`,
        esc(s.effectiveFrom),
        `${esc(c.commodity)} ${esc(c.label ?? '')}${c.coverage === 'partly' ? ' <span class="muted">(partly covered)</span>' : ''}`,
        `${usdM(c.before.avgValue)} → ${usdM(c.after.avgValue)}`,
        `${num(c.before.avgTonnes === undefined ? undefined : c.before.avgTonnes / 1e3, 0)} → ${num(c.after.avgTonnes === undefined ? undefined : c.after.avgTonnes / 1e3, 0)} kt`,
        c.priceVolume
          ? `price ${usdM(c.priceVolume.priceEffect)}, volume ${usdM(c.priceVolume.volumeEffect)}`
          : c.after.avgTonnes === 0 || c.before.avgTonnes === 0
            ? '<span class="muted">no volume on one side: no split</span>'
            : '<span class="muted">quantity not reported on both sides</span>',
        esc(
          c.reportedChanges
            .map((x) => `${x.period} ${x.value > 0 ? '+' : ''}${x.value}% (${x.source})`)
            .join('; '),
        ),
      ]),
    ...s.neighbours
      .filter(informative)
      .map((nb) => [
        `<b>${esc(s.measureId)}</b>`,
        esc(s.effectiveFrom),
        `<span class="neighbour">${esc(nb.commodity)} ${esc(nb.label ?? '')} — not banned</span>`,
        `${usdM(nb.before.avgValue)} → ${usdM(nb.after.avgValue)}`,
        '',
        '',
        esc(
          nb.reportedChanges
            .map((x) => `${x.period} ${x.value > 0 ? '+' : ''}${x.value}% (${x.source})`)
            .join('; '),
        ),
      ]),
  ]);
  const afterBan = r.sanctions.flatMap((s) =>
    s.afterBan.map((t) => [
      esc(s.measureId),
      esc(t.period),
      esc(t.commodity),
      usdM(t.value),
      t.shouldBeZero
        ? '<b class="bad">should be zero: no exception</b>'
        : `<span class="muted">exceptions: ${esc(s.exceptions.join(', ') || '—')}${s.hasCaps ? '; cap' : ''}</span>`,
    ]),
  );
  const conflicts = table(
    ['kind', 'period', 'figure', 'what the sources say'],
    r.conflicts.map((f) => [
      `<span class="tag ${esc(f.kind)}">${esc(f.kind)}</span>`,
      esc(f.period),
      esc(f.figure),
      esc(f.detail),
    ]),
    'conflicts',
  );
  const monthlyRows = r.monthly.map((m) => [
    esc(m.month),
    usdM(m.import.value),
    num(m.import.yoy),
    usdM(m.export.value),
    num(m.export.yoy),
    usdM(m.total.value),
    num(m.total.yoy),
    m.balance === undefined ? '—' : usdM(m.balance),
  ]);
  const summary = r.summary
    .map(
      (s) =>
        `<div class="stat"><div class="k">${esc(s.flow)}</div><div class="v">${s.sum === undefined ? 'incomplete' : usdM(s.sum)}</div><div class="muted">${s.monthsReported} of ${s.months} months reported</div></div>`,
    )
    .join('');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>China–${esc(r.partner)} trade, ${esc(r.from)} to ${esc(r.to)} — embargo trade report</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1c2833;margin:0;background:#f4f6f8}
main{max-width:980px;margin:0 auto;padding:24px 28px 48px;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:32px 0 8px;border-bottom:1px solid #e5e8eb;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 4px}.muted{color:#7b8a97}.none{color:#7b8a97;font-style:italic}
.stats{display:flex;gap:12px;margin:14px 0}.stat{flex:1;border:1px solid #e5e8eb;border-radius:6px;padding:8px 12px}
.stat .k{text-transform:uppercase;font-size:11px;color:#7b8a97}.stat .v{font-size:20px;font-weight:600}
figure{margin:10px 0 18px}figcaption{font-weight:600;margin-bottom:4px}
svg.chart{width:100%;height:auto;display:block}
.grid{stroke:#eceff1}.axis{font-size:11px;fill:#7b8a97}
.series{fill:none;stroke-width:2}.unreported{fill:#f2f3f4}
.measure-marker line{stroke:#e67e22;stroke-width:1.5;stroke-dasharray:4 3}.measure-marker circle{fill:#e67e22}.measure-marker text{font-size:9px;font-weight:700;fill:#fff}
ol.dates{columns:2;font-size:12px;color:#566573;margin:4px 0 0;padding-left:22px}
.sanctioned{fill:#c0392b}.unsanctioned{fill:#d5dde5}
.legend{display:flex;gap:14px;flex-wrap:wrap;font-size:12px;color:#566573}
.key i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;vertical-align:-2px}
.key i.band{background:#f2f3f4;border:1px solid #d5d8dc}.key i.mark{width:2px;background:#e67e22}
table{border-collapse:collapse;width:100%;font-size:12.5px;margin:6px 0}
th{text-align:left;background:#f4f6f8;font-weight:600}th,td{padding:5px 7px;border-bottom:1px solid #eceff1;vertical-align:top}
.tag{font-size:11px;padding:1px 6px;border-radius:9px;background:#eaf2f8;white-space:nowrap}
.tag.correction{background:#fdebd0}.tag.disagreement{background:#fadbd8}.tag.pct-inconsistent{background:#e8daef}
.neighbour{color:#1e8449}.bad{color:#c0392b}
.panel{border:1px solid #eceff1;border-radius:6px;padding:4px 12px;margin:10px 0}
footer{margin-top:32px;font-size:12px;color:#7b8a97}
</style></head>
<body><main>
<h1>China–${esc(r.partner)} trade as reported, ${esc(r.from)} to ${esc(r.to)}</h1>
<p class="muted">${r.observationCount} reported figures, each with its source; regime ${esc(r.regimeVersion ?? '—')}. Flows are China's: imports = DPRK exports. Months nobody reported are shown as gaps, not zero.</p>
<div class="stats">${summary}</div>
<h2>Monthly totals</h2>
${totals}
${dateList}
<h2>Sanctioned goods: value, volume and unit value</h2>
<p class="muted">A value change mixes price and volume; where tonnage is reported the two are shown apart. Dashed lines mark the measures' effective dates.</p>
${panels || '<p class="none">No good has four or more monthly figures in this period.</p>'}
<h2>Sanctioned vs unsanctioned share</h2>
${shareChart(r, markers)}
<h2>Measures around their effective dates</h2>
<p class="muted">Average monthly figures in the six months before and after each date; goods in the same HS chapter that no measure covered are listed as not banned.</p>
${table(['measure', 'effective', 'goods', 'value (avg/month)', 'volume', 'price vs volume', 'reported changes after'], measureRows, 'measures')}
<h3>Trade in covered goods after the effective date</h3>
${table(['measure', 'month', 'goods', 'value', ''], afterBan)}
<h2>Series no longer reported</h2>
<p class="muted">Reported before this period and never during it. A series that stops being reported is a gap, not a fall to zero: China stopped reporting crude-oil exports to the DPRK in 2014, it did not stop shipping.</p>
${table(
  ['goods', 'flow', 'measure', 'last reported', 'last figure'],
  r.stopped.map((x) => [
    `${esc(x.commodity)} ${esc(x.label ?? '')}`,
    esc(x.flow),
    esc(x.measure),
    esc(x.lastReported),
    x.unit === 'USD' ? usdM(x.lastValue) : `${num(x.lastValue, 0)} ${esc(x.unit)}`,
  ]),
  'stopped',
)}
<h2>Biggest reported movers</h2>
${table(
  ['period', 'flow', 'goods', 'change', 'of', 'source'],
  r.movers.map((m) => [
    esc(m.period),
    esc(m.flow),
    `${esc(m.commodity)} ${esc(m.label ?? '')}`,
    `${m.change > 0 ? '+' : ''}${num(m.change, 2)}%`,
    esc(m.basis),
    esc(m.source),
  ]),
)}
<h2>Implied prior-year figures</h2>
<p class="muted">A change printed with its level implies the figure a year before ("−22.35% to US$161.38 million" implies about US$207.8 million); where a source reported that figure too, both are shown.</p>
${table(
  ['period', 'flow', 'goods', 'reported', 'implied a year before', 'reported a year before', 'source'],
  r.impliedBases.map((b) => [
    esc(b.period),
    esc(b.flow),
    esc(b.commodity),
    `${b.unit === 'USD' ? usdM(b.level) : `${num(b.level, 0)} ${esc(b.unit)}`}, ${b.pct > 0 ? '+' : ''}${num(b.pct, 2)}%`,
    b.unit === 'USD' ? usdM(b.impliedBase) : `${num(b.impliedBase, 0)} ${esc(b.unit)}`,
    b.reportedBase === undefined
      ? '—'
      : b.unit === 'USD'
        ? usdM(b.reportedBase)
        : `${num(b.reportedBase, 0)} ${esc(b.unit)}`,
    esc(b.source),
  ]),
  'implied',
)}
<h2>Reported aggregates</h2>
${table(
  ['period', 'flow', 'value', 'annual rate', 'status', 'source'],
  r.aggregates.map((a) => [
    esc(a.period),
    esc(a.flow),
    a.unit === 'USD' ? usdM(a.value) : `${num(a.value / 1e6, 2)}m ${esc(a.unit)}`,
    a.annualised === undefined ? '' : a.unit === 'USD' ? usdM(a.annualised) : num(a.annualised / 1e6, 2),
    esc(a.status),
    esc(a.source),
  ]),
)}
<h2>Conflicts and consistency</h2>
<p class="muted">Figures that cannot all be true: the same figure reported differently, corrections, parts larger than totals, sums that do not add up, percentages the levels do not give.</p>
${conflicts}
<h2>All months</h2>
${table(['month', 'imports', 'yoy %', 'exports', 'yoy %', 'total', 'yoy %', 'balance'], monthlyRows, 'monthly')}
<footer>Generated by embargo from reported figures with their citations (embargo trade sources). Changes are computed from the two reported levels where both exist, otherwise taken as reported.</footer>
</main></body></html>
`;
}
