/**
 * The regime through time: which measures were in force when, per jurisdiction, optionally for one
 * HS code. Amendments are applied exactly as written in the data (`end` cuts a measure's window,
 * `end-exceptions` cuts an exception's, `suspend-exceptions` opens a gap in it), so the timeline
 * shows the same law the engine applies, without guessing. Pure: dates are ISO strings, which
 * compare as dates; windows are half-open [from, to).
 *
 * @example
 *   const t = buildTimeline(regime, { jurisdiction: 'CN', hs: '2701' });
 *   t.spans.map((s) => `${s.measure} ${s.from}..${s.to ?? 'open'}`);
 *   inForceOn(regime, '2017-09-03', { jurisdiction: 'UN', hs: '2701' }).map((s) => s.measure);
 */
import type { Direction } from '../screening/declaration.js';
import type { Jurisdiction, Measure, MeasureKind } from './measure-schema.js';
import { citationOf, type Regime, type RegimeMeasure } from './regime.js';

/** A half-open window [from, to); `to` null = open-ended. */
export interface DateWindow {
  from: string;
  to: string | null;
}

export interface ExceptionSpan {
  id: string;
  title: string;
  kind: 'standard' | 'grace';
  /** when the exception can be claimed at all (its own window cut to its measure's and by amendments) */
  window: DateWindow | null;
  /** gaps opened by `suspend-exceptions` amendments, with the measure that opened each */
  suspensions: (DateWindow & { by: string })[];
  /** the measure whose `end-exceptions` amendment closed it, if any */
  endedBy: string | null;
  /** HS prefixes the exception is limited to (empty: all goods of its measure) */
  goods: string[];
  consumesCap: string | null;
}

export interface CapPeriodSpan extends DateWindow {
  limits: { amount: number; unit: string }[];
}

export interface CapSpan {
  id: string;
  title: string;
  periods: CapPeriodSpan[];
  warningLevels: number[];
  stopAt: number | null;
  scope: 'global' | 'national';
}

export interface MeasureSpan {
  measure: string;
  instrument: string;
  instrumentTitle: string;
  jurisdiction: Jurisdiction;
  direction: Direction;
  kind: MeasureKind;
  title: string;
  paragraph: string;
  citation: string;
  file: string;
  /** the window as the measure's own file states it */
  declared: DateWindow;
  /** the window after every `end` amendment: when the measure was actually in force */
  from: string;
  to: string | null;
  /** the measure whose `end` amendment closed it (null when its own effective_to or nothing did) */
  endedBy: string | null;
  /** include codes of the measure (all of them, or those overlapping the HS filter) */
  hs: string[];
  exceptions: ExceptionSpan[];
  caps: CapSpan[];
  /** measures this one amends, with the action and date */
  amends: { measure: string; action: string; from: string; to: string | null; exceptions: string[] }[];
  /** true when the measure, its paragraph or a matching HS mapping is UNCONFIRMED */
  unconfirmed: boolean;
}

export const TIMELINE_EVENT_KINDS = [
  'measure-starts',
  'measure-ends',
  'exception-opens',
  'exception-closes',
  'exception-suspended',
  'exception-resumed',
  'cap-period-starts',
] as const;
export type TimelineEventKind = (typeof TIMELINE_EVENT_KINDS)[number];

export interface TimelineEvent {
  date: string;
  kind: TimelineEventKind;
  measure: string;
  /** exception or cap id the event concerns */
  item: string | null;
  /** the amending measure that caused it, if any */
  by: string | null;
  text: string;
}

export interface TimelineFilter {
  jurisdiction?: Jurisdiction | undefined;
  /** digits only; a measure matches when one of its codes and this one share a prefix */
  hs?: string | undefined;
  direction?: Direction | undefined;
}

export interface Timeline {
  jurisdiction: Jurisdiction | null;
  hs: string | null;
  regimeVersion: string;
  /** sorted by start date, then measure id */
  spans: MeasureSpan[];
  /** sorted by date, then measure id, then kind */
  events: TimelineEvent[];
  /** first and last dates the timeline mentions (for charts) */
  firstDate: string | null;
  lastDate: string | null;
}

const minDate = (a: string | null, b: string | null): string | null =>
  a === null ? b : b === null ? a : a < b ? a : b;
const maxDate = (a: string, b: string): string => (a > b ? a : b);

/** True when `date` lies in the half-open window. */
export function inWindow(w: DateWindow, date: string): boolean {
  return w.from <= date && (w.to === null || date < w.to);
}

/** Adds days to an ISO date (UTC calendar arithmetic, no clock). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** True for a real calendar date written `YYYY-MM-DD` (not 2017-02-30, not 2017-13-01). */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const t = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === text;
}

/** True when the two digit strings share a prefix (one is a prefix of the other). */
export function hsOverlaps(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

function intersect(w: DateWindow, from: string, to: string | null): DateWindow | null {
  const f = maxDate(w.from, from);
  const t = minDate(w.to, to);
  return t !== null && t <= f ? null : { from: f, to: t };
}

interface Amendments {
  ends: Map<string, { from: string; by: string }[]>;
  endExceptions: Map<string, { from: string; by: string }[]>;
  suspends: Map<string, { from: string; to: string | null; by: string }[]>;
}

function gatherAmendments(measures: readonly RegimeMeasure[]): Amendments {
  const out: Amendments = { ends: new Map(), endExceptions: new Map(), suspends: new Map() };
  const push = <T>(map: Map<string, T[]>, key: string, value: T) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  for (const { measure } of measures) {
    for (const a of measure.amends) {
      if (a.action === 'end') push(out.ends, a.measure, { from: a.from, by: measure.id });
      for (const x of a.exceptions ?? []) {
        const key = `${a.measure}/${x}`;
        if (a.action === 'end-exceptions') push(out.endExceptions, key, { from: a.from, by: measure.id });
        if (a.action === 'suspend-exceptions')
          push(out.suspends, key, { from: a.from, to: a.to ?? null, by: measure.id });
      }
    }
  }
  return out;
}

function measureCodes(measure: Measure): { code: string; confirmed: boolean }[] {
  return measure.goods.flatMap((g) => g.include.map((c) => ({ code: c.code, confirmed: c.confirmed })));
}

function spanOf(rm: RegimeMeasure, amendments: Amendments, hs: string | undefined): MeasureSpan {
  const { measure, instrument } = rm;
  let window: DateWindow = { from: measure.effective_from, to: measure.effective_to ?? null };
  let endedBy: string | null = null;
  // earliest `end` amendment wins; ties broken by the amending measure's id (deterministic)
  const ends = [...(amendments.ends.get(measure.id) ?? [])].sort((a, b) =>
    a.from === b.from ? (a.by < b.by ? -1 : 1) : a.from < b.from ? -1 : 1,
  );
  for (const e of ends) {
    if (window.to === null || e.from < window.to) {
      window = { from: window.from, to: maxDate(e.from, window.from) };
      endedBy = e.by;
    }
  }
  const exceptions: ExceptionSpan[] = measure.exceptions.map((x) => {
    const key = `${measure.id}/${x.id}`;
    let ew: DateWindow | null = intersect(window, x.effective_from ?? window.from, x.effective_to ?? null);
    let closedBy: string | null = null;
    for (const e of amendments.endExceptions.get(key) ?? []) {
      if (ew && (ew.to === null || e.from < ew.to)) {
        ew = e.from <= ew.from ? null : { from: ew.from, to: e.from };
        closedBy = e.by;
      }
    }
    const suspensions = (amendments.suspends.get(key) ?? [])
      .map((s) => ({ from: s.from, to: s.to, by: s.by }))
      .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
    return {
      id: x.id,
      title: x.title,
      kind: x.kind,
      window: ew,
      suspensions,
      endedBy: closedBy,
      goods: [...(x.goods ?? [])],
      consumesCap: x.consumes_cap ?? null,
    };
  });
  const codes = measureCodes(measure).filter((c) => hs === undefined || hsOverlaps(c.code, hs));
  return {
    measure: measure.id,
    instrument: instrument.id,
    instrumentTitle: instrument.title,
    jurisdiction: instrument.jurisdiction,
    direction: measure.direction,
    kind: measure.kind,
    title: measure.title,
    paragraph: measure.paragraph,
    citation: citationOf(instrument, measure),
    file: rm.file,
    declared: { from: measure.effective_from, to: measure.effective_to ?? null },
    from: window.from,
    to: window.to,
    endedBy,
    hs: codes.map((c) => c.code),
    exceptions,
    caps: measure.caps.map((c) => ({
      id: c.id,
      title: c.title,
      periods: c.periods.map((p) => ({ from: p.from, to: p.to, limits: p.limits.map((l) => ({ ...l })) })),
      warningLevels: [...c.warning_levels],
      stopAt: c.stop_at ?? null,
      scope: c.scope,
    })),
    amends: measure.amends.map((a) => ({
      measure: a.measure,
      action: a.action,
      from: a.from,
      to: a.to ?? null,
      exceptions: [...(a.exceptions ?? [])],
    })),
    unconfirmed:
      !measure.paragraph_confirmed || measure.unconfirmed.length > 0 || codes.some((c) => !c.confirmed),
  };
}

/** Every measure of the regime as a span, filtered by jurisdiction, direction and HS overlap. */
export function measureSpans(regime: Regime, filter: TimelineFilter = {}): MeasureSpan[] {
  const amendments = gatherAmendments(regime.measures);
  const hs = filter.hs === undefined ? undefined : filter.hs.replace(/[\s.]/g, '');
  return regime.measures
    .filter((rm) => filter.jurisdiction === undefined || rm.instrument.jurisdiction === filter.jurisdiction)
    .filter((rm) => filter.direction === undefined || rm.measure.direction === filter.direction)
    .map((rm) => spanOf(rm, amendments, hs))
    .filter((s) => s.hs.length > 0)
    .sort((a, b) => (a.from === b.from ? (a.measure < b.measure ? -1 : 1) : a.from < b.from ? -1 : 1));
}

const EVENT_ORDER: Readonly<Record<TimelineEventKind, number>> = {
  'measure-ends': 0,
  'exception-closes': 1,
  'exception-suspended': 2,
  'measure-starts': 3,
  'exception-opens': 4,
  'exception-resumed': 5,
  'cap-period-starts': 6,
};

function eventsOf(span: MeasureSpan): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  const ev = (date: string, kind: TimelineEventKind, item: string | null, by: string | null, text: string) =>
    out.push({ date, kind, measure: span.measure, item, by, text });
  ev(span.from, 'measure-starts', null, null, `${span.measure} in force: ${span.title}`);
  if (span.to !== null)
    ev(
      span.to,
      'measure-ends',
      null,
      span.endedBy,
      span.endedBy
        ? `${span.measure} ended by ${span.endedBy}`
        : `${span.measure} no longer applies (its own end date)`,
    );
  for (const x of span.exceptions) {
    if (x.window) {
      // an exception that opens and closes with its measure is part of the measure's own events
      if (x.window.from !== span.from)
        ev(
          x.window.from,
          'exception-opens',
          x.id,
          null,
          `${span.measure}: ${x.kind} exception ${x.id} opens`,
        );
      if (x.window.to !== null && x.window.to !== span.to)
        ev(
          x.window.to,
          'exception-closes',
          x.id,
          x.endedBy,
          x.endedBy
            ? `${span.measure}: exception ${x.id} ended by ${x.endedBy}`
            : `${span.measure}: ${x.kind} exception ${x.id} closes`,
        );
    }
    for (const s of x.suspensions) {
      ev(
        s.from,
        'exception-suspended',
        x.id,
        s.by,
        `${span.measure}: exception ${x.id} suspended by ${s.by}`,
      );
      if (s.to !== null)
        ev(s.to, 'exception-resumed', x.id, s.by, `${span.measure}: exception ${x.id} resumes`);
    }
  }
  for (const c of span.caps) {
    for (const p of c.periods) {
      if (!inWindow({ from: span.from, to: span.to }, p.from)) continue;
      const limits = p.limits.map((l) => `${l.amount.toLocaleString('en-US')} ${l.unit}`).join(' or ');
      ev(
        p.from,
        'cap-period-starts',
        c.id,
        null,
        `${span.measure}: cap ${c.id} period ${p.from}..${p.to}: ${limits}`,
      );
    }
  }
  return out;
}

/** Builds the timeline of a regime for one jurisdiction (or all) and optionally one HS code. */
export function buildTimeline(regime: Regime, filter: TimelineFilter = {}): Timeline {
  const spans = measureSpans(regime, filter);
  const events = spans
    .flatMap(eventsOf)
    .sort((a, b) =>
      a.date !== b.date
        ? a.date < b.date
          ? -1
          : 1
        : a.measure !== b.measure
          ? a.measure < b.measure
            ? -1
            : 1
          : EVENT_ORDER[a.kind] - EVENT_ORDER[b.kind] || ((a.item ?? '') < (b.item ?? '') ? -1 : 1),
    );
  const dates = events.map((e) => e.date).sort();
  return {
    jurisdiction: filter.jurisdiction ?? null,
    hs: filter.hs ?? null,
    regimeVersion: regime.version,
    spans,
    events,
    firstDate: dates[0] ?? null,
    lastDate: dates[dates.length - 1] ?? null,
  };
}

/** The measures in force on a date (after amendments), with their exceptions as available that day. */
export function inForceOn(regime: Regime, date: string, filter: TimelineFilter = {}): MeasureSpan[] {
  return measureSpans(regime, filter).filter((s) => inWindow({ from: s.from, to: s.to }, date));
}

/** Whether an exception can be claimed on a date: inside its window and not suspended. */
export function exceptionAvailable(x: ExceptionSpan, date: string): boolean {
  return x.window !== null && inWindow(x.window, date) && !x.suspensions.some((s) => inWindow(s, date));
}
