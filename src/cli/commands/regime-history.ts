/**
 * `embargo regime timeline` and `embargo regime diff`: the regime through time. Both attach to the
 * `regime` command through regime.ts's `regimeCommand` (found, or created when this module loads first).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EmbargoError } from '../../core/errors.js';
import { diffRegime, type RegimeDiff } from '../../core/regime/diff.js';
import { JURISDICTIONS, type Jurisdiction } from '../../core/regime/measure-schema.js';
import type { Regime } from '../../core/regime/regime.js';
import {
  addDays,
  buildTimeline,
  exceptionAvailable,
  inWindow,
  isCalendarDate,
  type Timeline,
} from '../../core/regime/timeline.js';
import { renderTimelineHtml } from '../../core/regime/timeline-html.js';
import { DIRECTIONS, type Direction } from '../../core/screening/declaration.js';
import { DEFAULT_REGIME_DIR, loadRegime } from '../../ingest/regime-loader.js';
import { formatRows, parseFormat, type Row } from '../output.js';
import { regimeCommand } from './regime.js';

/** `--jurisdiction` as the CLI takes it: `UN`, `CN` (the default) or `all`. */
export function parseJurisdiction(
  value: string | undefined,
  fallback: Jurisdiction | 'all' = 'CN',
): Jurisdiction | undefined {
  const v = (value ?? fallback).toUpperCase();
  if (v === 'ALL') return undefined;
  if (!(JURISDICTIONS as readonly string[]).includes(v))
    throw new EmbargoError('EMB_USAGE', `unknown --jurisdiction '${value}'; expected UN, CN or all`);
  return v as Jurisdiction;
}

/** A calendar date `YYYY-MM-DD` from a flag, or a usage error naming the flag. */
export function parseDateFlag(value: string | undefined, flag: string): string {
  if (value === undefined) throw new EmbargoError('EMB_USAGE', `${flag} <YYYY-MM-DD> is required`);
  if (!isCalendarDate(value))
    throw new EmbargoError('EMB_USAGE', `${flag} '${value}' is not a calendar date YYYY-MM-DD`);
  return value;
}

function parseHs(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const digits = value.replace(/[\s.]/g, '');
  if (!/^\d{2,10}$/.test(digits)) throw new EmbargoError('EMB_USAGE', `--hs '${value}' is not 2–10 digits`);
  return digits;
}

function parseDirection(value: string | undefined): Direction | undefined {
  if (value === undefined) return undefined;
  if (!(DIRECTIONS as readonly string[]).includes(value))
    throw new EmbargoError('EMB_USAGE', `unknown --direction '${value}'; expected import or export`);
  return value as Direction;
}

function write(text: string, out: string | undefined): void {
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}

/** The timeline cut to one day: measures in force then, each with only the exceptions open then. */
export function timelineOn(t: Timeline, date: string): Timeline {
  const spans = t.spans
    .filter((s) => inWindow({ from: s.from, to: s.to }, date))
    .map((s) => ({ ...s, exceptions: s.exceptions.filter((x) => exceptionAvailable(x, date)) }));
  const kept = new Set(spans.map((s) => s.measure));
  return { ...t, spans, events: t.events.filter((e) => kept.has(e.measure)) };
}

export function timelineRows(t: Timeline): Row[] {
  return t.spans.map((s) => ({
    measure: s.measure,
    jurisdiction: s.jurisdiction,
    direction: s.direction,
    kind: s.kind,
    from: s.from,
    to: s.to ?? '',
    // people read "until" inclusively; `to` stays the exclusive date the data and JSON use
    last_day: s.to ? addDays(s.to, -1) : '',
    ended_by: s.endedBy ?? '',
    exceptions: s.exceptions
      .map((x) => `${x.id}${x.window ? ` ${x.window.from}..${x.window.to ?? ''}` : ' (never open)'}`)
      .join('; '),
    caps: s.caps.map((c) => c.id).join('; '),
    unconfirmed: s.unconfirmed,
    title: s.title,
  }));
}

export function diffRows(d: RegimeDiff): Row[] {
  const rows: Row[] = [];
  for (const m of d.added)
    rows.push({ change: 'added', measure: m.measure, detail: `${m.title} (from ${m.from})` });
  for (const m of d.ended)
    rows.push({
      change: 'ended',
      measure: m.measure,
      detail: `${m.title}${m.endedBy ? ` (ended by ${m.endedBy})` : ''}`,
    });
  for (const m of d.transient)
    rows.push({ change: 'came and went', measure: m.measure, detail: `${m.title} (${m.from}..${m.to})` });
  for (const c of d.changed)
    for (const x of c.changes) rows.push({ change: x.kind, measure: c.measure, detail: x.text });
  for (const h of d.hsGained)
    rows.push({ change: 'hs-gained', measure: h.measures.join('; '), detail: `${h.direction} ${h.code}` });
  for (const h of d.hsLost)
    rows.push({ change: 'hs-lost', measure: h.measures.join('; '), detail: `${h.direction} ${h.code}` });
  // exception windows and cap periods that opened or closed in between, even if back to the same state
  for (const e of d.events)
    if (e.kind !== 'measure-starts' && e.kind !== 'measure-ends')
      rows.push({ change: `event ${e.date}`, measure: e.measure, detail: e.text });
  return rows;
}

function load(dir: string | undefined): Regime {
  return loadRegime(dir ?? DEFAULT_REGIME_DIR);
}

export function register(program: Command): void {
  const regime = regimeCommand(program);
  regime
    .command('timeline')
    .description('Which measures were in force when: table, JSON, or a self-contained HTML page with a chart')
    .option('--jurisdiction <j>', 'UN, CN or all', 'CN')
    .option('--hs <code>', 'only measures whose goods share a prefix with this code')
    .option('--direction <d>', 'import or export')
    .option('--on <date>', 'only the measures in force that day, with the exceptions open that day')
    .option('--format <f>', 'table, json or html', 'table')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--regime-dir <dir>', 'regime directory (default: the shipped regimes/)')
    .action(
      (opts: {
        jurisdiction?: string;
        hs?: string;
        direction?: string;
        on?: string;
        format?: string;
        out?: string;
        regimeDir?: string;
      }) => {
        const format = parseFormat(opts.format, ['table', 'json', 'html']) as string;
        const on = opts.on === undefined ? undefined : parseDateFlag(opts.on, '--on');
        let timeline = buildTimeline(load(opts.regimeDir), {
          jurisdiction: parseJurisdiction(opts.jurisdiction),
          hs: parseHs(opts.hs),
          direction: parseDirection(opts.direction),
        });
        if (on) timeline = timelineOn(timeline, on);
        if (format === 'html') write(renderTimelineHtml(timeline), opts.out);
        else if (format === 'json') write(`${JSON.stringify(timeline, null, 2)}\n`, opts.out);
        else write(formatRows(timelineRows(timeline), 'table'), opts.out);
      },
    );

  regime
    .command('diff')
    .description(
      'What changed between two dates: measures added, ended, changed; HS coverage gained and lost',
    )
    .requiredOption('--from <date>', 'first date YYYY-MM-DD')
    .requiredOption('--to <date>', 'second date YYYY-MM-DD')
    .option('--jurisdiction <j>', 'UN, CN or all', 'CN')
    .option('--hs <code>', 'only measures whose goods share a prefix with this code')
    .option('--direction <d>', 'import or export')
    .option('--format <f>', 'table, json, jsonl or csv', 'table')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--regime-dir <dir>', 'regime directory (default: the shipped regimes/)')
    .action(
      (opts: {
        from: string;
        to: string;
        jurisdiction?: string;
        hs?: string;
        direction?: string;
        format?: string;
        out?: string;
        regimeDir?: string;
      }) => {
        const format = parseFormat(opts.format);
        const diff = diffRegime(
          load(opts.regimeDir),
          parseDateFlag(opts.from, '--from'),
          parseDateFlag(opts.to, '--to'),
          {
            jurisdiction: parseJurisdiction(opts.jurisdiction),
            hs: parseHs(opts.hs),
            direction: parseDirection(opts.direction),
          },
        );
        if (format === 'json') write(`${JSON.stringify(diff, null, 2)}\n`, opts.out);
        else write(formatRows(diffRows(diff), format, ['change', 'measure', 'detail']), opts.out);
      },
    );
}
