/**
 * `npm run eval:names`: name-matching quality on our labelled set
 * (src/core/parties/eval/name-eval-cases.csv) over the real DPRK entries of the UN (2026-05-08)
 * and OFAC (2022-01 trio) lists, and on nomenklatura's public name_bench pairs; fuse.js over the
 * same names beside it. Prints Markdown. `--json` prints the figures as JSON instead.
 */
import { readFileSync } from 'node:fs';
import Fuse, { type IFuseOptions } from 'fuse.js';
import { sharedPath } from '../../../test/shared-data.js';
import {
  type EvalCase,
  type EvalMetrics,
  evaluate,
  evaluateByCategory,
  evaluatePairs,
  type PairCase,
  type RankedHit,
} from '../../core/parties/eval/name-eval.js';
import { exactKeyOf, normalizeName } from '../../core/parties/name-normalizer.js';
import { buildPartyIndex, type PartyIndex } from '../../core/parties/party-index.js';
import { DEFAULT_THRESHOLDS, scoreName } from '../../core/parties/party-matcher.js';
import type { PartyList } from '../../core/parties/party-model.js';
import { splitCsvRecords } from './csv-records.js';
import { loadListFile } from './list-loader.js';

export const EVAL_CASES_FILE = new URL('../../core/parties/eval/name-eval-cases.csv', import.meta.url)
  .pathname;

const LIST_KEYS: Readonly<Record<string, string>> = { 'un-consolidated': 'un', 'ofac-sdn': 'ofac' };

export function loadEvalLists(): PartyList[] {
  return [
    loadListFile(sharedPath('data', 'lists', 'un', 'consolidated_2026-05-08.xml')).list,
    loadListFile(sharedPath('data', 'lists', 'ofac', 'trio_2022-01', 'sdn.csv'), { published: '2022-01-31' })
      .list,
  ];
}

export function loadEvalCases(path = EVAL_CASES_FILE): EvalCase[] {
  const { records } = splitCsvRecords(readFileSync(path, 'utf8'));
  records.shift();
  return records.map(({ fields }) => ({
    id: fields[0] ?? '',
    query: fields[1] ?? '',
    expected: (fields[2] ?? '').split('|').filter(Boolean),
    category: fields[3] ?? '',
  }));
}

export function loadPairCases(): PairCase[] {
  const { records } = splitCsvRecords(
    readFileSync(sharedPath('data', 'eval', 'nomenklatura_name_bench_cases.csv'), 'utf8'),
  );
  records.shift();
  return records.map(({ fields }) => ({
    schema: fields[1] ?? '',
    name1: fields[2] ?? '',
    name2: fields[3] ?? '',
    isMatch: fields[4] === 'true',
  }));
}

/** Our ranked hits for every case: `list:reference` keys with scores, best first. */
export function embargoResults(index: PartyIndex, cases: readonly EvalCase[]): RankedHit[][] {
  return cases.map((c) =>
    index
      .search(c.query, { threshold: 0.01, limit: 5 })
      .map((h) => ({ key: `${LIST_KEYS[h.list.id] ?? h.list.id}:${h.reference}`, score: h.score })),
  );
}

export interface FuseName {
  key: string;
  name: string;
}

export function fuseNames(lists: readonly PartyList[]): FuseName[] {
  return lists.flatMap((list) =>
    list.entities.flatMap((e) =>
      e.names.map((n) => ({
        key: `${LIST_KEYS[list.version.id] ?? list.version.id}:${e.reference}`,
        name: n.name,
      })),
    ),
  );
}

/** fuse.js as its documentation sets it up for fuzzy name search; similarity = 1 − fuse score. */
export const FUSE_OPTIONS: IFuseOptions<FuseName> = {
  keys: ['name'],
  includeScore: true,
  ignoreLocation: true,
  threshold: 0.6,
};

export function fuseResults(fuse: Fuse<FuseName>, cases: readonly EvalCase[]): RankedHit[][] {
  return cases.map((c) => {
    const best = new Map<string, number>();
    for (const r of fuse.search(c.query, { limit: 20 })) {
      const similarity = 1 - (r.score ?? 1);
      if (similarity > (best.get(r.item.key) ?? -1)) best.set(r.item.key, similarity);
    }
    return [...best].map(([key, score]) => ({ key, score })).sort((a, b) => b.score - a.score);
  });
}

/** fuse.js's best threshold on a set (the fairest comparison: its F1 at its own best setting). */
export function bestThreshold(cases: readonly EvalCase[], results: readonly RankedHit[][]): EvalMetrics {
  let best: EvalMetrics | undefined;
  for (let t = 0.4; t <= 0.99; t += 0.01) {
    const m = evaluate(cases, results, Math.round(t * 100) / 100);
    if (!best || m.f1 > best.f1) best = m;
  }
  return best as EvalMetrics;
}

export function pairScores(pairs: readonly PairCase[]): number[] {
  return pairs.map((p) => {
    const a = normalizeName(p.name1);
    const b = normalizeName(p.name2);
    const strict = p.schema === 'Vessel';
    const ab = scoreName(a, { norm: b, exactKey: exactKeyOf(b), exactOnly: false, strict }).score;
    const ba = scoreName(b, { norm: a, exactKey: exactKeyOf(a), exactOnly: false, strict }).score;
    return Math.max(ab, ba);
  });
}

export function fusePairScores(pairs: readonly PairCase[]): number[] {
  return pairs.map((p) => {
    const fuse = new Fuse<FuseName>([{ key: 'x', name: p.name2 }], FUSE_OPTIONS);
    const [r] = fuse.search(p.name1);
    return r ? 1 - (r.score ?? 1) : 0;
  });
}

const pct = (x: number) => x.toFixed(3);
const row = (label: string, m: EvalMetrics) =>
  `| ${label} | ${m.threshold.toFixed(2)} | ${pct(m.precision)} | ${pct(m.recall)} | ${pct(m.f1)} | ${m.tp} | ${m.fp} | ${m.fn} | ${m.tn} |`;

function main(): void {
  const json = process.argv.includes('--json');
  const lists = loadEvalLists();
  const index = buildPartyIndex(lists);
  const cases = loadEvalCases();
  const ours = embargoResults(index, cases);
  const fuse = new Fuse(fuseNames(lists), FUSE_OPTIONS);
  const theirs = fuseResults(fuse, cases);
  const atMatch = evaluate(cases, ours, DEFAULT_THRESHOLDS.match);
  const atReview = evaluate(cases, ours, DEFAULT_THRESHOLDS.review);
  const fuseBest = bestThreshold(cases, theirs);
  const fuseAtMatch = evaluate(cases, theirs, DEFAULT_THRESHOLDS.match);
  const pairs = loadPairCases();
  const ourPairs = pairScores(pairs);
  const theirPairs = fusePairScores(pairs);
  const pairsAtMatch = evaluatePairs(pairs, ourPairs, DEFAULT_THRESHOLDS.match);
  const pairsAtReview = evaluatePairs(pairs, ourPairs, DEFAULT_THRESHOLDS.review);
  const pairsAt07 = evaluatePairs(pairs, ourPairs, 0.7);
  let fusePairsBest = evaluatePairs(pairs, theirPairs, 0.4);
  for (let t = 0.4; t <= 0.99; t += 0.01) {
    const m = evaluatePairs(pairs, theirPairs, Math.round(t * 100) / 100);
    if (m.f1 > fusePairsBest.f1) fusePairsBest = m;
  }
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ cases: cases.length, atMatch, atReview, fuseBest, fuseAtMatch, pairs: pairs.length, pairsAtMatch, pairsAtReview, pairsAt07, fusePairsBest }, null, 2)}\n`,
    );
    return;
  }
  const positives = cases.filter((c) => c.expected.length > 0).length;
  const out: string[] = [];
  out.push('## Name matching evaluation', '');
  out.push(
    `Own set: ${cases.length} queries (${positives} positive, ${cases.length - positives} hard negative) over ${index.size.entities} DPRK entries / ${index.size.names} names (UN 2026-05-08 + OFAC 2022-01 trio).`,
    '',
  );
  out.push(
    '| matcher | threshold | precision | recall | F1 | TP | FP | FN | TN |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  out.push(row('embargo (match)', atMatch), row('embargo (review)', atReview));
  out.push(row('fuse.js at its best threshold', fuseBest), row('fuse.js at 0.90', fuseAtMatch), '');
  out.push(
    'Per category at the match threshold (embargo):',
    '',
    '| category | precision | recall | TP | FP | FN | TN |',
    '|---|---|---|---|---|---|---|',
  );
  for (const [category, m] of evaluateByCategory(cases, ours, DEFAULT_THRESHOLDS.match)) {
    out.push(
      `| ${category} | ${pct(m.precision)} | ${pct(m.recall)} | ${m.tp} | ${m.fp} | ${m.fn} | ${m.tn} |`,
    );
  }
  out.push(
    '',
    `nomenklatura name_bench: ${pairs.length} labelled pairs (their logic-v2 at 0.7: P 0.76, R 0.82, F1 0.79).`,
    '',
  );
  out.push(
    '| matcher | threshold | precision | recall | F1 | TP | FP | FN | TN |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  out.push(
    row('embargo', pairsAtMatch),
    row('embargo', pairsAtReview),
    row('embargo', pairsAt07),
    row('fuse.js at its best threshold', fusePairsBest),
    '',
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
