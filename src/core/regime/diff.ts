/**
 * What changed in the law between two dates: measures added and ended, measures whose exceptions
 * or caps changed, HS coverage gained and lost, and every event in between (a suspension that began
 * and ended between the two dates shows there even though neither date sees it). Pure, built on
 * the timeline so both views agree.
 *
 * @example
 *   const d = diffRegime(regime, '2017-08-04', '2017-09-05', { jurisdiction: 'UN' });
 *   d.changed.find((c) => c.measure === 'UN-2371-OP8')?.changes; // grace exception closed
 */
import type { Direction } from '../screening/declaration.js';
import type { Regime } from './regime.js';
import {
  buildTimeline,
  exceptionAvailable,
  inWindow,
  type MeasureSpan,
  measureSpans,
  type TimelineEvent,
  type TimelineFilter,
} from './timeline.js';

export const CHANGE_KINDS = [
  'exception-opened',
  'exception-closed',
  'exception-suspended',
  'exception-resumed',
  'cap-changed',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface MeasureChange {
  kind: ChangeKind;
  /** exception or cap id */
  item: string;
  text: string;
  /** what the item was on the first date and on the second (state or limits) */
  before: string;
  after: string;
  /** the amending measure responsible, when an amendment caused the change */
  by: string | null;
}

export interface DiffMeasure {
  measure: string;
  jurisdiction: string;
  direction: Direction;
  title: string;
  citation: string;
  from: string;
  to: string | null;
  endedBy: string | null;
  unconfirmed: boolean;
}

export interface HsCoverage {
  direction: Direction;
  code: string;
  /** measures covering the code on the date it is covered */
  measures: string[];
}

export interface RegimeDiff {
  from: string;
  to: string;
  jurisdiction: string | null;
  hs: string | null;
  regimeVersion: string;
  added: DiffMeasure[];
  ended: DiffMeasure[];
  changed: { measure: string; title: string; changes: MeasureChange[] }[];
  /** measures that started after `from` and stopped by `to`: invisible on both dates, but the law changed */
  transient: DiffMeasure[];
  hsGained: HsCoverage[];
  hsLost: HsCoverage[];
  /** timeline events with from < date <= to */
  events: TimelineEvent[];
}

const summary = (s: MeasureSpan): DiffMeasure => ({
  measure: s.measure,
  jurisdiction: s.jurisdiction,
  direction: s.direction,
  title: s.title,
  citation: s.citation,
  from: s.from,
  to: s.to,
  endedBy: s.endedBy,
  unconfirmed: s.unconfirmed,
});

type ExceptionState = 'not-yet-open' | 'available' | 'suspended' | 'closed';

function exceptionState(x: MeasureSpan['exceptions'][number], date: string): ExceptionState {
  if (x.window === null) return 'closed';
  if (date < x.window.from) return 'not-yet-open';
  if (x.window.to !== null && date >= x.window.to) return 'closed';
  return exceptionAvailable(x, date) ? 'available' : 'suspended';
}

function capLimits(cap: MeasureSpan['caps'][number], date: string): string {
  const p = cap.periods.find((q) => inWindow(q, date));
  if (!p) return 'no period';
  return `${p.limits.map((l) => `${l.amount} ${l.unit}`).join(' or ')} (${p.from}..${p.to})`;
}

function changesOf(s: MeasureSpan, from: string, to: string): MeasureChange[] {
  const out: MeasureChange[] = [];
  for (const x of s.exceptions) {
    const before = exceptionState(x, from);
    const after = exceptionState(x, to);
    if (before === after) continue;
    const suspension = x.suspensions.find((w) => inWindow(w, after === 'suspended' ? to : from));
    let kind: ChangeKind;
    let by: string | null = null;
    if (after === 'available') kind = before === 'suspended' ? 'exception-resumed' : 'exception-opened';
    else if (after === 'suspended') {
      kind = 'exception-suspended';
      by = suspension?.by ?? null;
    } else {
      kind = 'exception-closed';
      by = x.endedBy;
    }
    if (kind === 'exception-resumed') by = suspension?.by ?? null;
    out.push({
      kind,
      item: x.id,
      before,
      after,
      by,
      text: `${x.kind === 'grace' ? 'grace exception' : 'exception'} ${x.id}: ${before} → ${after}${by ? ` (${by})` : ''}`,
    });
  }
  for (const c of s.caps) {
    const before = capLimits(c, from);
    const after = capLimits(c, to);
    const strip = (t: string) => t.replace(/ \(.*\)$/, '');
    if (strip(before) === strip(after)) continue;
    out.push({
      kind: 'cap-changed',
      item: c.id,
      before,
      after,
      by: null,
      text: `cap ${c.id}: ${before} → ${after}`,
    });
  }
  return out;
}

/** The covered (direction, code) pairs on a date, reduced to the shortest prefixes. */
function coverage(spans: readonly MeasureSpan[], date: string): HsCoverage[] {
  const byKey = new Map<string, HsCoverage>();
  for (const s of spans) {
    if (!inWindow({ from: s.from, to: s.to }, date)) continue;
    for (const code of s.hs) {
      const key = `${s.direction}:${code}`;
      const entry = byKey.get(key) ?? { direction: s.direction, code, measures: [] };
      if (!entry.measures.includes(s.measure)) entry.measures.push(s.measure);
      byKey.set(key, entry);
    }
  }
  const all = [...byKey.values()];
  return all
    .filter(
      (c) =>
        !all.some(
          (o) =>
            o !== c &&
            o.direction === c.direction &&
            o.code.length < c.code.length &&
            c.code.startsWith(o.code),
        ),
    )
    .sort((a, b) =>
      a.direction === b.direction ? (a.code < b.code ? -1 : 1) : a.direction < b.direction ? -1 : 1,
    );
}

const coveredBy = (set: readonly HsCoverage[], c: HsCoverage) =>
  set.some((o) => o.direction === c.direction && c.code.startsWith(o.code));

/** Compares the law on two dates (`from` may be after `to`: the diff then reads backwards in time). */
export function diffRegime(
  regime: Regime,
  from: string,
  to: string,
  filter: TimelineFilter = {},
): RegimeDiff {
  const spans = measureSpans(regime, filter);
  const on = (s: MeasureSpan, d: string) => inWindow({ from: s.from, to: s.to }, d);
  const [lo, hi] = from <= to ? [from, to] : [to, from];
  const covFrom = coverage(spans, from);
  const covTo = coverage(spans, to);
  const changed = spans
    .filter((s) => on(s, from) && on(s, to))
    .map((s) => ({ measure: s.measure, title: s.title, changes: changesOf(s, from, to) }))
    .filter((c) => c.changes.length > 0);
  const hs = filter.hs === undefined ? null : filter.hs;
  return {
    from,
    to,
    jurisdiction: filter.jurisdiction ?? null,
    hs,
    regimeVersion: regime.version,
    added: spans.filter((s) => !on(s, from) && on(s, to)).map(summary),
    ended: spans.filter((s) => on(s, from) && !on(s, to)).map(summary),
    changed,
    transient: spans
      .filter((s) => !on(s, from) && !on(s, to) && s.from > lo && s.to !== null && s.to <= hi)
      .map(summary),
    hsGained: covTo.filter((c) => !coveredBy(covFrom, c)),
    hsLost: covFrom.filter((c) => !coveredBy(covTo, c)),
    events: buildTimeline(regime, filter).events.filter((e) => e.date > lo && e.date <= hi),
  };
}

/** True when a diff says nothing changed. */
export function isEmptyDiff(d: RegimeDiff): boolean {
  return (
    d.added.length === 0 &&
    d.ended.length === 0 &&
    d.changed.length === 0 &&
    d.transient.length === 0 &&
    d.hsGained.length === 0 &&
    d.hsLost.length === 0
  );
}
