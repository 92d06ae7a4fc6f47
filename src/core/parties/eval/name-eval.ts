/**
 * Measuring name matching. Pure: the runner (src/ingest/lists/name-eval-run.ts) reads the files
 * and hands cases and a search function in.
 *
 * A case is a query and the set of list entries it should find (empty for a hard negative).
 * At a threshold, a query is flagged when its best hit scores at or above it:
 * - flagged and the best hit is one of the expected entries → true positive;
 * - flagged otherwise (a negative, or the wrong entry) → false positive (and, for a positive
 *   query, also a false negative: the right entry was not found first);
 * - a positive query not flagged → false negative.
 */

export interface EvalCase {
  id: string;
  query: string;
  /** `list:reference` keys, e.g. `un:KPi.076`, `ofac:23215`; empty for a hard negative */
  expected: readonly string[];
  category: string;
}

export interface RankedHit {
  key: string;
  score: number;
}

export interface EvalCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface EvalMetrics extends EvalCounts {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
}

export function metricsOf(counts: EvalCounts, threshold: number): EvalMetrics {
  const precision = counts.tp + counts.fp === 0 ? 1 : counts.tp / (counts.tp + counts.fp);
  const recall = counts.tp + counts.fn === 0 ? 1 : counts.tp / (counts.tp + counts.fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { threshold, ...counts, precision, recall, f1 };
}

/** Scores ranked hits (best first) of every case at one threshold. */
export function evaluate(
  cases: readonly EvalCase[],
  results: readonly (readonly RankedHit[])[],
  threshold: number,
): EvalMetrics {
  const counts: EvalCounts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  cases.forEach((c, i) => {
    const best = results[i]?.[0];
    const flagged = best !== undefined && best.score >= threshold;
    const positive = c.expected.length > 0;
    if (flagged) {
      // ties at the top: any expected entry among the best-scored hits counts
      const top = (results[i] ?? []).filter((h) => h.score === best.score).map((h) => h.key);
      if (positive && top.some((k) => c.expected.includes(k))) counts.tp++;
      else {
        counts.fp++;
        if (positive) counts.fn++;
      }
    } else if (positive) counts.fn++;
    else counts.tn++;
  });
  return metricsOf(counts, threshold);
}

/** Metrics per category at one threshold (recall per kind of variation, false positives per negative kind). */
export function evaluateByCategory(
  cases: readonly EvalCase[],
  results: readonly (readonly RankedHit[])[],
  threshold: number,
): Map<string, EvalMetrics> {
  const groups = new Map<string, number[]>();
  cases.forEach((c, i) => {
    const list = groups.get(c.category) ?? [];
    list.push(i);
    groups.set(c.category, list);
  });
  const out = new Map<string, EvalMetrics>();
  for (const [category, indexes] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
    out.set(
      category,
      evaluate(
        indexes.map((i) => cases[i] as EvalCase),
        indexes.map((i) => results[i] ?? []),
        threshold,
      ),
    );
  }
  return out;
}

/** A labelled pair (two names, same party or not), as in nomenklatura's name_bench. */
export interface PairCase {
  schema: string;
  name1: string;
  name2: string;
  isMatch: boolean;
}

export function evaluatePairs(
  pairs: readonly PairCase[],
  scores: readonly number[],
  threshold: number,
): EvalMetrics {
  const counts: EvalCounts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  pairs.forEach((p, i) => {
    const flagged = (scores[i] ?? 0) >= threshold;
    if (flagged && p.isMatch) counts.tp++;
    else if (flagged) counts.fp++;
    else if (p.isMatch) counts.fn++;
    else counts.tn++;
  });
  return metricsOf(counts, threshold);
}

/** Percentile (0–100) of a sample, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
