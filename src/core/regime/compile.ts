/**
 * Compiles a loaded regime once into what screening needs per declaration: for each jurisdiction
 * and direction a digit trie over the measures' HS codes, with the answer for every node
 * precomputed (which measures cover a code that ends here, which only partly overlap it), so a
 * declaration costs one walk down at most ten digits and a date filter. Amendments are applied
 * here (`end`, `end-exceptions`, `suspend-exceptions`), so the engine never has to guess which
 * measure wins. Order is deterministic: measures by id, exceptions by id.
 *
 * @example
 *   const compiled = compileRegime(regime);
 *   const hits = lookupHs(compiled.index.CN.import, '2701120000');
 */
import type { Reason } from '../screening/decision.js';
import type { ConditionFact } from '../screening/declaration.js';
import { JURISDICTIONS, type Jurisdiction } from './jurisdictions.js';
import type { Cap, Exception, HsCode, Instrument, Measure } from './measure-schema.js';
import { citationOf, type Regime } from './regime.js';
import type { UnitsFile } from './units-schema.js';

/** A half-open date window [from, to); `to` undefined = open-ended. ISO strings compare as dates. */
export interface Window {
  from: string;
  to: string | undefined;
}

export interface CompiledCondition {
  fact: ConditionFact;
  /** lower-cased, trimmed */
  in: readonly string[] | undefined;
  notIn: readonly string[] | undefined;
  before: string | undefined;
  onOrAfter: string | undefined;
  absentOk: boolean;
  text: string;
}

export interface CompiledException {
  id: string;
  /** `<measure id>/<exception id>` */
  key: string;
  exception: Exception;
  citation: string;
  /** when the exception is available at all (its own window, cut by `end-exceptions`) */
  window: Window;
  /** windows in which an amendment suspends it */
  suspensions: readonly Window[];
  /** HS prefixes the exception is limited to; empty = all goods of the measure */
  goods: readonly string[];
  conditions: readonly CompiledCondition[];
  documents: readonly string[];
  approvals: readonly string[];
  standingConditions: readonly string[];
  cap: Cap | undefined;
  /** precomputed reason when it clears a declaration */
  appliedReason: Reason;
  unconfirmed: boolean;
}

export interface CompiledMeasure {
  id: string;
  measure: Measure;
  instrument: Instrument;
  jurisdiction: Jurisdiction;
  citation: string;
  window: Window;
  exceptions: readonly CompiledException[];
  /** notification duties, as reasons shown when a declaration clears under an exception */
  notificationReasons: readonly { reason: Reason; exceptions: readonly string[] | undefined }[];
  /** ids of the measures whose amendments changed this one */
  amendedBy: readonly string[];
}

export const HIT_KINDS = ['covered', 'ambiguous', 'coarse'] as const;
export type HitKind = (typeof HIT_KINDS)[number];

/** One measure's relation to a declared HS code, precomputed per trie node. */
export interface MeasureHit {
  measure: CompiledMeasure;
  kind: HitKind;
  /** the measure's code the declaration falls under (covered / ambiguous) */
  code: HsCode | undefined;
  /** for `coarse`: the measure's finer codes (and exclusions) the declared code spans */
  atStake: readonly string[];
  /** shared reason for this hit when no exception applies (banned / suspended / classification) */
  reason: Reason;
  /** for an ambiguous line that a declared fact can settle: the hit when the fact says "covered" */
  resolved: MeasureHit | undefined;
  /** a code that applies only when the declaration passes a test (`value_above`, `not_when`) */
  gate: HitGate | undefined;
}

/**
 * Whether a covered code applies to this declaration at all: a declared fact that puts the goods
 * outside it (`not_when`), or a per-item value threshold (`value_above`). See `passGate` in
 * screening/screen.ts.
 */
export interface HitGate {
  /** lower-cased values of `fact` that put the goods outside the code */
  notWhen: { fact: ConditionFact; values: readonly string[] } | undefined;
  valueAbove: { amount: number; currency: string } | undefined;
  /** the HOLD hit used when the unit value cannot be computed from the declaration */
  undetermined: MeasureHit | undefined;
}

interface TrieNode {
  children: (TrieNode | undefined)[];
  /** hits when the declared code ends exactly at this node */
  exact: readonly MeasureHit[];
  /** hits when the declared code continues past this node into digits the trie does not hold */
  past: readonly MeasureHit[];
}

export type DirectionIndex = TrieNode;

export interface CompiledRegime {
  version: string;
  regime: Regime;
  units: UnitsFile | null;
  measures: readonly CompiledMeasure[];
  index: Readonly<Record<Jurisdiction, { import: DirectionIndex; export: DirectionIndex }>>;
}

const lower = (values: readonly string[] | undefined) => values?.map((v) => v.trim().toLowerCase());

function intersectWindow(w: Window, cutTo: string): Window {
  return { from: w.from, to: w.to === undefined || cutTo < w.to ? cutTo : w.to };
}

/** Compiles a loaded regime; pure and deterministic (measures ordered by id whatever the input order). */
export function compileRegime(regime: Regime): CompiledRegime {
  const sorted = [...regime.measures].sort((a, b) =>
    a.measure.id < b.measure.id ? -1 : a.measure.id > b.measure.id ? 1 : 0,
  );
  // amendments, gathered by target
  const ends = new Map<string, { from: string; by: string }[]>();
  const endExceptions = new Map<string, { from: string; by: string }[]>();
  const suspends = new Map<string, { window: Window; by: string }[]>();
  for (const { measure } of sorted) {
    for (const a of measure.amends) {
      if (a.action === 'end') push(ends, a.measure, { from: a.from, by: measure.id });
      for (const x of a.exceptions ?? []) {
        const key = `${a.measure}/${x}`;
        if (a.action === 'end-exceptions') push(endExceptions, key, { from: a.from, by: measure.id });
        if (a.action === 'suspend-exceptions')
          push(suspends, key, { window: { from: a.from, to: a.to }, by: measure.id });
      }
    }
  }

  const measures: CompiledMeasure[] = sorted.map(({ measure, instrument }) => {
    let window: Window = { from: measure.effective_from, to: measure.effective_to };
    const amendedBy = new Set<string>();
    for (const e of ends.get(measure.id) ?? []) {
      window = intersectWindow(window, e.from);
      amendedBy.add(e.by);
    }
    const citation = citationOf(instrument, measure);
    const exceptions = [...measure.exceptions]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((exception): CompiledException => {
        const key = `${measure.id}/${exception.id}`;
        let ew: Window = {
          from:
            exception.effective_from && exception.effective_from > window.from
              ? exception.effective_from
              : window.from,
          to: window.to,
        };
        if (exception.effective_to) ew = intersectWindow(ew, exception.effective_to);
        for (const e of endExceptions.get(key) ?? []) {
          ew = intersectWindow(ew, e.from);
          amendedBy.add(e.by);
        }
        const suspensions = (suspends.get(key) ?? []).map((s) => {
          amendedBy.add(s.by);
          return s.window;
        });
        const exCitation = exception.paragraph
          ? citationOf(instrument, measure, exception.paragraph)
          : citation;
        const unconfirmed = !measure.paragraph_confirmed || exception.unconfirmed.length > 0;
        const cap = exception.consumes_cap
          ? measure.caps.find((c) => c.id === exception.consumes_cap)
          : undefined;
        return {
          id: exception.id,
          key,
          exception,
          citation: exCitation,
          window: ew,
          suspensions,
          goods: exception.goods ?? [],
          conditions: exception.conditions.map((c) => ({
            fact: c.fact,
            in: lower(c.in),
            notIn: lower(c.not_in),
            before: c.before,
            onOrAfter: c.on_or_after,
            absentOk: c.absent_ok ?? false,
            text: c.text ?? describeCondition(c.fact, c),
          })),
          documents: exception.documents,
          approvals: exception.approvals,
          standingConditions: exception.standing_conditions,
          cap,
          unconfirmed,
          appliedReason: Object.freeze({
            kind: exception.kind === 'grace' ? 'grace-period' : 'exception-applied',
            outcome: 'CLEAR',
            measure: measure.id,
            citation: exCitation,
            text: `${exception.kind === 'grace' ? 'Grace rule' : 'Exception'} applies: ${exception.title}`,
            unconfirmed,
            details: Object.freeze({ exception: key }),
          } satisfies Reason),
        };
      });
    const notificationReasons = measure.notifications.map((n) => ({
      exceptions: n.exceptions,
      reason: Object.freeze({
        kind: 'notification-duty',
        outcome: 'CLEAR',
        measure: measure.id,
        citation,
        text: `Notification duty (${n.cadence}): ${n.who} to ${n.to}: ${n.what}`,
        unconfirmed: n.unconfirmed.length > 0,
      } satisfies Reason),
    }));
    return {
      id: measure.id,
      measure,
      instrument,
      jurisdiction: instrument.jurisdiction,
      citation,
      window,
      exceptions,
      notificationReasons,
      amendedBy: [...amendedBy].sort(),
    };
  });

  const index = Object.fromEntries(
    JURISDICTIONS.map((j) => [
      j,
      {
        import: buildTrie(measures.filter((m) => m.jurisdiction === j && m.measure.direction === 'import')),
        export: buildTrie(measures.filter((m) => m.jurisdiction === j && m.measure.direction === 'export')),
      },
    ]),
  ) as unknown as CompiledRegime['index'];
  return { version: regime.version, regime, units: regime.units, measures, index };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function describeCondition(
  fact: string,
  c: { in?: string[]; not_in?: string[]; before?: string; on_or_after?: string },
) {
  const parts: string[] = [];
  if (c.in) parts.push(`${fact} is one of ${c.in.join(', ')}`);
  if (c.not_in) parts.push(`${fact} is not ${c.not_in.join(', ')}`);
  if (c.before) parts.push(`${fact} is before ${c.before}`);
  if (c.on_or_after) parts.push(`${fact} is on or after ${c.on_or_after}`);
  return parts.join(' and ');
}

interface CodeEntry {
  measure: CompiledMeasure;
  goods: number;
  code: HsCode;
}

interface Building {
  children: (Building | undefined)[];
  prefix: string;
  exact?: MeasureHit[];
  past?: MeasureHit[];
}

const newNode = (prefix: string): Building => ({ children: new Array(10).fill(undefined), prefix });

/**
 * Builds the trie of one jurisdiction and direction. Every prefix of every code (include or
 * exclude) gets a node, and each node stores its precomputed hits. A declared code is:
 * - covered by a goods group when one of its include codes is a prefix of the declared code and
 *   no exclude code is;
 * - coarse when it is a strict prefix of an include code of the group (it spans banned and
 *   unbanned lines), or when it is covered but strictly coarser than one of the group's exclusions;
 * - ambiguous when the include code it falls under is marked `ambiguous` (a national line that
 *   holds banned and unbanned goods alike).
 * Per measure the strongest relation wins: covered, then ambiguous, then coarse.
 */
function buildTrie(measures: readonly CompiledMeasure[]): TrieNode {
  const includes: CodeEntry[] = [];
  const excludes: CodeEntry[] = [];
  for (const m of measures) {
    m.measure.goods.forEach((g, gi) => {
      for (const code of g.include) includes.push({ measure: m, goods: gi, code });
      for (const code of g.exclude) excludes.push({ measure: m, goods: gi, code });
    });
  }
  const prefixes = new Set<string>();
  for (const e of [...includes, ...excludes])
    for (let k = 1; k <= e.code.code.length; k++) prefixes.add(e.code.code.slice(0, k));
  type Building = {
    children: (Building | undefined)[];
    prefix: string;
    exact?: MeasureHit[];
    past?: MeasureHit[];
  };
  const root: Building = newNode('');
  for (const p of [...prefixes].sort()) {
    let node = root;
    for (let k = 0; k < p.length; k++) {
      const digit = p.charCodeAt(k) - 48;
      let child = node.children[digit];
      if (!child) {
        child = newNode(p.slice(0, k + 1));
        node.children[digit] = child;
      }
      node = child;
    }
  }
  const reasonCache = new Map<string, Reason>();
  const visit = (node: Building) => {
    node.exact = hitsFor(node.prefix, true, includes, excludes, reasonCache);
    node.past = hitsFor(node.prefix, false, includes, excludes, reasonCache);
    for (const child of node.children) if (child) visit(child);
  };
  visit(root);
  return root as TrieNode;
}

const RANK: Record<HitKind, number> = { covered: 3, ambiguous: 2, coarse: 1 };

/**
 * Hits for a declared code `d` that either equals `prefix` (`exact`) or extends it with digits no
 * measure code shares (`!exact`, so no code lies strictly below `d`).
 */
function hitsFor(
  prefix: string,
  exact: boolean,
  includes: readonly CodeEntry[],
  excludes: readonly CodeEntry[],
  reasonCache: Map<string, Reason>,
): MeasureHit[] {
  const best = new Map<CompiledMeasure, { kind: HitKind; code: HsCode | undefined; atStake: Set<string> }>();
  const consider = (m: CompiledMeasure, kind: HitKind, code: HsCode | undefined, atStake: string[]) => {
    const cur = best.get(m);
    if (!cur || RANK[kind] > RANK[cur.kind]) best.set(m, { kind, code, atStake: new Set(atStake) });
    else if (cur.kind === kind) for (const s of atStake) cur.atStake.add(s);
  };
  for (const inc of includes) {
    const c = inc.code.code;
    // strictly coarser declared code: the declared code spans this measure line and others
    if (exact && c.length > prefix.length && c.startsWith(prefix)) {
      consider(inc.measure, 'coarse', undefined, [c]);
      continue;
    }
    // the declared code falls under this include code (in both cases, only codes that are a
    // prefix of the node's own prefix can be a prefix of the declared code)
    if (!prefix.startsWith(c)) continue;
    const groupExcludes = excludes.filter((x) => x.measure === inc.measure && x.goods === inc.goods);
    if (groupExcludes.some((x) => prefix.startsWith(x.code.code))) continue; // excluded
    const finerExclusions = exact
      ? groupExcludes.filter((x) => x.code.code.length > prefix.length && x.code.code.startsWith(prefix))
      : [];
    if (finerExclusions.length > 0) {
      consider(inc.measure, 'coarse', inc.code, [c, ...finerExclusions.map((x) => `not ${x.code.code}`)]);
      continue;
    }
    consider(inc.measure, inc.code.ambiguous ? 'ambiguous' : 'covered', inc.code, []);
  }
  return [...best.entries()]
    .sort((a, b) => (a[0].id < b[0].id ? -1 : a[0].id > b[0].id ? 1 : 0))
    .map(([measure, h]): MeasureHit => {
      const atStake = [...h.atStake].sort();
      // every hit has the same shape (resolved and gate present, undefined when unused), so the
      // screening loop that reads them stays monomorphic
      const hit: MeasureHit = {
        measure,
        kind: h.kind,
        code: h.code,
        atStake,
        reason: hitReason(measure, h.kind, h.code, atStake, prefix, reasonCache),
        resolved: undefined,
        gate: undefined,
      };
      const code = h.code;
      if (h.kind !== 'coarse' && code && (code.value_above || code.not_when)) {
        hit.gate = {
          notWhen: code.not_when
            ? { fact: code.not_when.fact, values: code.not_when.in.map((v) => v.trim().toLowerCase()) }
            : undefined,
          valueAbove: code.value_above,
          undetermined: code.value_above
            ? {
                measure,
                kind: 'ambiguous',
                code,
                atStake,
                reason: valueUndeterminedReason(measure, code, reasonCache),
                resolved: undefined,
                gate: undefined,
              }
            : undefined,
        };
      }
      if (h.kind === 'ambiguous' && h.code?.resolved_by) {
        hit.resolved = {
          measure,
          kind: 'covered',
          code: h.code,
          atStake,
          reason: hitReason(measure, 'covered', h.code, atStake, prefix, reasonCache),
          resolved: undefined,
          gate: undefined,
        };
      }
      return hit;
    });
}

function hitReason(
  m: CompiledMeasure,
  kind: HitKind,
  code: HsCode | undefined,
  atStake: readonly string[],
  prefix: string,
  cache: Map<string, Reason>,
): Reason {
  const key = `${m.id}|${kind}|${code?.code ?? ''}|${kind === 'coarse' ? `${prefix}|${atStake.join(',')}` : ''}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const codeUnconfirmed = code ? !code.confirmed : false;
  const unconfirmed = !m.measure.paragraph_confirmed || codeUnconfirmed || m.measure.unconfirmed.length > 0;
  const goodsLabel = code?.label ?? m.measure.title;
  let reason: Reason;
  if (kind === 'coarse') {
    reason = {
      kind: 'classification-too-coarse',
      outcome: 'HOLD',
      measure: m.id,
      citation: m.citation,
      text: `Classification too coarse: ${prefix} spans ${atStake.join(', ')} of ${m.id} (${m.measure.title}) and lines it does not cover; declare the full national tariff line`,
      unconfirmed,
      details: { subheadings: atStake },
    };
  } else if (kind === 'ambiguous') {
    reason = {
      kind: 'classification-ambiguous',
      outcome: 'HOLD',
      measure: m.id,
      citation: m.citation,
      text: `Ambiguous line ${code?.code}: ${code?.ambiguous}${
        code?.resolved_by
          ? `; declare ${code.resolved_by.fact} as ${[...code.resolved_by.covered, ...code.resolved_by.not_covered].join(' or ')}`
          : ''
      }`,
      unconfirmed,
      details: code?.resolved_by
        ? { code: code.code, settle_with: code.resolved_by.fact }
        : { code: code?.code },
    };
  } else if (m.measure.kind === 'unconfirmed-ban') {
    reason = {
      kind: 'measure-unconfirmed',
      outcome: 'HOLD',
      measure: m.id,
      citation: m.citation,
      text: `Held: ${m.measure.title} (${code?.code} ${goodsLabel}); whether this measure exists is UNCONFIRMED, so an officer decides`,
      unconfirmed: true,
      details: { code: code?.code, code_source: code?.source },
    };
  } else {
    const suspended = m.measure.kind === 'suspension';
    reason = {
      kind: suspended ? 'suspended' : 'banned',
      outcome: 'REFUSE',
      measure: m.id,
      citation: m.citation,
      text: `${suspended ? 'Suspended' : 'Banned'}: ${m.measure.title} (${code?.code} ${goodsLabel})${
        m.exceptions.length > 0 ? '; no exception applies' : ''
      }${code?.value_above ? `; valued above ${code.value_above.currency} ${code.value_above.amount.toLocaleString('en-US')} per item` : ''}${codeUnconfirmed ? '; HS mapping UNCONFIRMED' : ''}`,
      unconfirmed,
      details: { code: code?.code, code_source: code?.source },
    };
  }
  deepFreezeReason(reason);
  cache.set(key, reason);
  return reason;
}

function valueUndeterminedReason(m: CompiledMeasure, code: HsCode, cache: Map<string, Reason>): Reason {
  const key = `${m.id}|value|${code.code}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const threshold = code.value_above!;
  const reason: Reason = {
    kind: 'value-undetermined',
    outcome: 'HOLD',
    measure: m.id,
    citation: m.citation,
    text: `${m.measure.title}: ${code.code} (${code.label ?? 'these goods'}) is covered only when valued above ${threshold.currency} ${threshold.amount.toLocaleString('en-US')} per item; declare the value in ${threshold.currency} and the quantity in items (pcs)`,
    unconfirmed: !m.measure.paragraph_confirmed || !code.confirmed || m.measure.unconfirmed.length > 0,
    details: { code: code.code, value_above: threshold.amount, currency: threshold.currency },
  };
  deepFreezeReason(reason);
  cache.set(key, reason);
  return reason;
}

function deepFreezeReason(reason: Reason) {
  if (reason.details) {
    for (const v of Object.values(reason.details)) if (Array.isArray(v)) Object.freeze(v);
    Object.freeze(reason.details);
  }
  Object.freeze(reason);
}

const EMPTY_HITS: readonly MeasureHit[] = Object.freeze([]);

/**
 * The precomputed hits for a declared code (digits only). Walks at most ten trie levels; allocates
 * nothing.
 */
export function lookupHs(index: DirectionIndex, hs: string): readonly MeasureHit[] {
  let node: TrieNode = index;
  const n = hs.length;
  for (let k = 0; k < n; k++) {
    const digit = hs.charCodeAt(k) - 48;
    const child = node.children[digit];
    if (!child) return k === 0 ? EMPTY_HITS : node.past;
    node = child;
  }
  return node.exact;
}

/** True when `date` lies in [window.from, window.to). */
export function inWindow(w: Window, date: string): boolean {
  return date >= w.from && (w.to === undefined || date < w.to);
}
