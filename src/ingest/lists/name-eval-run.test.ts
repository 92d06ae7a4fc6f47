import Fuse from 'fuse.js';
import { describe, expect, it } from 'vitest';
import { evaluate, evaluatePairs } from '../../core/parties/eval/name-eval.js';
import { buildPartyIndex } from '../../core/parties/party-index.js';
import { DEFAULT_THRESHOLDS } from '../../core/parties/party-matcher.js';
import {
  bestThreshold,
  embargoResults,
  FUSE_OPTIONS,
  fuseNames,
  fuseResults,
  loadEvalCases,
  loadEvalLists,
  loadPairCases,
  pairScores,
} from './name-eval-run.js';

describe('name matching quality (npm run eval:names has the full report)', () => {
  const lists = loadEvalLists();
  const index = buildPartyIndex(lists);
  const cases = loadEvalCases();
  const ours = embargoResults(index, cases);

  it('has at least 400 labelled queries, positives and hard negatives', () => {
    expect(cases.length).toBeGreaterThanOrEqual(400);
    expect(cases.filter((c) => c.expected.length === 0).length).toBeGreaterThanOrEqual(100);
    expect(new Set(cases.map((c) => c.category)).size).toBeGreaterThanOrEqual(10);
  });

  it('reaches precision and recall of at least 0.95 at both thresholds', () => {
    for (const threshold of [DEFAULT_THRESHOLDS.match, DEFAULT_THRESHOLDS.review]) {
      const m = evaluate(cases, ours, threshold);
      expect(m.precision, `precision at ${threshold}`).toBeGreaterThanOrEqual(0.95);
      expect(m.recall, `recall at ${threshold}`).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('beats fuse.js at its own best threshold on precision and recall (every 6th query)', () => {
    const sample = cases.filter((_, i) => i % 6 === 0);
    const sampleOurs = ours.filter((_, i) => i % 6 === 0);
    const fuse = new Fuse(fuseNames(lists), FUSE_OPTIONS);
    const theirs = bestThreshold(sample, fuseResults(fuse, sample));
    const mine = evaluate(sample, sampleOurs, DEFAULT_THRESHOLDS.match);
    expect(mine.precision).toBeGreaterThan(theirs.precision);
    expect(mine.recall).toBeGreaterThan(theirs.recall);
  });

  it('scores the public nomenklatura pairs (reported, with a floor against regressions)', () => {
    const pairs = loadPairCases();
    const m = evaluatePairs(pairs, pairScores(pairs), DEFAULT_THRESHOLDS.review);
    expect(pairs.length).toBe(826);
    expect(m.f1).toBeGreaterThan(0.6);
  });
});
