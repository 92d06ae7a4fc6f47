/**
 * The decision function: may this declaration clear, as of its date, under the measures in force
 * in the chosen jurisdiction? Pure and deterministic (same compiled regime, declaration, options and
 * ledger state → same decision). Rules (issue 2 §3, docs/decisions.md S1–S6):
 *
 * - a measure applies when its goods cover the declared code, its direction matches, the country
 *   test holds (import: `origin` or `from` is the target; export: `to` is) and the date is in force;
 * - no exception's conditions hold → REFUSE; an exception's conditions hold but a prior approval is
 *   missing → REFUSE; approvals present but a document missing → HOLD (listing which); everything
 *   present → CLEAR under the exception, with its standing conditions;
 * - a `solid-information` flag on a declaration relying on an exception → REFUSE (revocation clause);
 * - a code coarser than the measure's lines, or a national line marked ambiguous → HOLD, unless an
 *   exception clears it anyway;
 * - exceptions that consume a cap draw on the ledger; the draw is committed only when the whole
 *   decision is CLEAR;
 * - party reasons from `options.parties` are merged; the most severe outcome wins.
 *
 * @example
 *   const decision = screenDeclaration(compileRegime(loadRegime()), declaration, { jurisdiction: 'CN' });
 */
import {
  type CompiledException,
  type CompiledRegime,
  type HitGate,
  inWindow,
  lookupHs,
  type MeasureHit,
} from '../regime/compile.js';
import type { Jurisdiction } from '../regime/measure-schema.js';
import type { CapDraw, CapLedger } from './cap-ledger.js';
import { type Decision, OUTCOME_SEVERITY, type Outcome, type Reason } from './decision.js';
import { type Declaration, factOf, ITEM_UNITS } from './declaration.js';
import type { PartyCheck } from './party-check.js';

export interface ScreenOptions {
  jurisdiction: Jurisdiction;
  /** screen against the law of this date instead of each declaration's own date */
  asOf?: string;
  /** cap ledger; without one, a declaration that would draw on a cap is held */
  ledger?: CapLedger;
  parties?: PartyCheck;
}

const NOT_COVERED: Reason = Object.freeze({
  kind: 'not-covered',
  outcome: 'CLEAR',
  measure: '',
  citation: '',
  text: 'No measure in force covers these goods, this direction and these countries',
  unconfirmed: false,
});

const TARGET = 'KP';
const NO_HITS: readonly MeasureHit[] = Object.freeze([]);
const SOLID_INFORMATION = 'solid-information';
const ITEM_UNIT_SET: ReadonlySet<string> = new Set(ITEM_UNITS);

interface MeasureResult {
  outcome: Outcome;
  reasons: Reason[];
  missingDocuments: readonly string[];
  missingApprovals: readonly string[];
  exception: CompiledException | null;
  draw: CapDraw | null;
}

/** Screens one declaration. See the module comment for the rules. */
export function screenDeclaration(
  compiled: CompiledRegime,
  declaration: Declaration,
  options: ScreenOptions,
): Decision {
  const date = options.asOf ?? declaration.date;
  const partyReasons = options.parties ? options.parties.check(declaration) : undefined;
  const lists: Decision['lists'] = [];
  if (options.parties)
    for (const l of options.parties.lists) lists.push({ id: l.id, hash: l.hash, published: l.published });
  const decision: Decision = {
    id: declaration.id,
    decision: 'CLEAR',
    reasons: [],
    missingDocuments: [],
    missingApprovals: [],
    exception: null,
    conditions: [],
    asOf: date,
    jurisdiction: options.jurisdiction,
    regimeVersion: compiled.version,
    lists,
  };

  const countryTest =
    declaration.direction === 'import'
      ? declaration.origin === TARGET || declaration.from === TARGET
      : declaration.to === TARGET;
  const hits: readonly MeasureHit[] = countryTest
    ? lookupHs(compiled.index[options.jurisdiction][declaration.direction], declaration.hsCode)
    : NO_HITS;

  let outcome: Outcome = 'CLEAR';
  let any = false;
  let draws: CapDraw[] | undefined;
  let applied: CompiledException[] | undefined;
  for (let i = 0; i < hits.length; i++) {
    let hit = hits[i]!;
    if (!inWindow(hit.measure.window, date)) continue;
    if (hit.resolved) {
      const settled = settleAmbiguity(hit, hit.resolved, declaration);
      if (settled === null) continue;
      hit = settled;
    }
    if (hit.gate) {
      const gated = passGate(hit, hit.gate, declaration);
      if (gated === null) continue;
      hit = gated;
    }
    any = true;
    const result = evaluateHit(hit, declaration, date, options.ledger);
    if (OUTCOME_SEVERITY[result.outcome] > OUTCOME_SEVERITY[outcome]) outcome = result.outcome;
    for (const r of result.reasons) decision.reasons.push(r);
    for (const d of result.missingDocuments)
      if (!decision.missingDocuments.includes(d)) decision.missingDocuments.push(d);
    for (const a of result.missingApprovals)
      if (!decision.missingApprovals.includes(a)) decision.missingApprovals.push(a);
    if (result.outcome === 'CLEAR' && result.exception) {
      applied ??= [];
      applied.push(result.exception);
    }
    if (result.draw) {
      draws ??= [];
      draws.push(result.draw);
    }
  }
  if (!any) decision.reasons.push(NOT_COVERED);

  if (partyReasons) {
    for (const r of partyReasons) {
      decision.reasons.push(r);
      if (OUTCOME_SEVERITY[r.outcome] > OUTCOME_SEVERITY[outcome]) outcome = r.outcome;
    }
  }

  decision.decision = outcome;
  if (outcome === 'CLEAR') {
    if (draws)
      for (const draw of draws) if (draw.commit) for (const r of draw.commit()) decision.reasons.push(r);
    const first = applied?.[0];
    if (applied && first) {
      decision.exception = first.key;
      for (const e of applied)
        for (const c of e.standingConditions)
          if (!decision.conditions.includes(c)) decision.conditions.push(c);
    }
  }
  return decision;
}

/**
 * An ambiguous line that a declared fact can settle (`resolved_by` in the regime): the covered
 * hit, null when the fact puts the goods outside the measure, or the ambiguous hit unchanged.
 */
function settleAmbiguity(hit: MeasureHit, covered: MeasureHit, declaration: Declaration): MeasureHit | null {
  const rule = hit.code?.resolved_by;
  if (!rule) return hit;
  const value = factOf(declaration, rule.fact)?.trim().toLowerCase();
  if (value === undefined) return hit;
  if (rule.covered.includes(value)) return covered;
  if (rule.not_covered.includes(value)) return null;
  return hit;
}

/**
 * A covered code with a gate (`not_when`, `value_above` in the regime): the hit itself when the
 * declaration passes, null when its facts put the goods outside the code, or the precomputed HOLD
 * hit when the per-item value cannot be computed (no value or quantity, another currency, a unit
 * that does not count items). "Valued greater than" is strict: at the threshold the goods are out.
 */
function passGate(hit: MeasureHit, gate: HitGate, declaration: Declaration): MeasureHit | null {
  if (gate.notWhen) {
    const value = factOf(declaration, gate.notWhen.fact);
    if (value !== undefined && gate.notWhen.values.includes(value.trim().toLowerCase())) return null;
  }
  const threshold = gate.valueAbove;
  if (threshold) {
    const { value, quantity, unit, currency } = declaration;
    if (
      value === undefined ||
      quantity === undefined ||
      !(quantity > 0) ||
      currency !== threshold.currency ||
      unit === undefined ||
      !ITEM_UNIT_SET.has(unit)
    )
      return gate.undetermined ?? hit;
    if (!(value / quantity > threshold.amount)) return null;
  }
  return hit;
}

function evaluateHit(
  hit: MeasureHit,
  declaration: Declaration,
  date: string,
  ledger: CapLedger | undefined,
): MeasureResult {
  const m = hit.measure;
  let best: MeasureResult | null = null;
  for (const e of m.exceptions) {
    if (!exceptionHolds(e, declaration, date)) continue;
    const result = evaluateException(hit, e, declaration, date, ledger);
    if (!best || OUTCOME_SEVERITY[result.outcome] < OUTCOME_SEVERITY[best.outcome]) best = result;
    if (best.outcome === 'CLEAR') break;
  }
  if (hit.kind === 'covered') {
    return (
      best ?? {
        // REFUSE for bans and suspensions; HOLD for a measure whose existence is UNCONFIRMED
        outcome: hit.reason.outcome,
        reasons: [hit.reason],
        missingDocuments: [],
        missingApprovals: [],
        exception: null,
        draw: null,
      }
    );
  }
  // coarse or ambiguous: an exception that fully applies clears it anyway; otherwise hold for the officer
  if (best && best.outcome === 'CLEAR') return best;
  return {
    outcome: 'HOLD',
    reasons: [hit.reason],
    missingDocuments: [],
    missingApprovals: [],
    exception: null,
    draw: null,
  };
}

function exceptionHolds(e: CompiledException, declaration: Declaration, date: string): boolean {
  if (!inWindow(e.window, date)) return false;
  for (const s of e.suspensions) if (inWindow(s, date)) return false;
  if (e.goods.length > 0) {
    let matches = false;
    for (const g of e.goods) if (declaration.hsCode.startsWith(g)) matches = true;
    if (!matches) return false;
  }
  for (const c of e.conditions) {
    const raw = factOf(declaration, c.fact);
    if (raw === undefined || raw === '') {
      if (c.absentOk) continue;
      return false;
    }
    const value = raw.trim().toLowerCase();
    if (c.in && !c.in.includes(value)) return false;
    if (c.notIn?.includes(value)) return false;
    if (c.before !== undefined && !(raw < c.before)) return false;
    if (c.onOrAfter !== undefined && !(raw >= c.onOrAfter)) return false;
  }
  return true;
}

/** What every reason about exception `e` of the hit's measure starts with (built only for such a reason). */
function reasonBase(hit: MeasureHit, e: CompiledException) {
  return { measure: hit.measure.id, citation: e.citation, unconfirmed: e.unconfirmed };
}

/** Reasons for missing approvals or documents, by exception, then by measure, kind and missing types. */
const missingReasons = new WeakMap<CompiledException, Map<string, Reason>>();
/** Reasons kept per exception at most (the missing types are a subset of the exception's own). */
const MISSING_REASONS = 256;

/**
 * The reason an exception fails for lack of approvals (REFUSE) or documents (HOLD): built once per
 * exception, measure and missing types and shared, frozen, like the compiled regime's reasons, so
 * that a row neither builds it nor has it serialised again (S24). Same keys in the same order as
 * when it was built per row.
 */
function missingReason(
  hit: MeasureHit,
  e: CompiledException,
  kind: 'approval-missing' | 'document-missing',
  missing: readonly string[],
): Reason {
  let known = missingReasons.get(e);
  if (known === undefined) {
    known = new Map();
    missingReasons.set(e, known);
  }
  const key = `${hit.measure.id}\u0000${kind}\u0000${missing.join('\u0000')}`;
  const cached = known.get(key);
  if (cached !== undefined) return cached;
  const base = reasonBase(hit, e);
  const types = Object.freeze([...missing]) as string[];
  const reason: Reason = Object.freeze(
    kind === 'approval-missing'
      ? {
          ...base,
          kind,
          outcome: 'REFUSE' as const,
          text: `Exception '${e.exception.title}' needs prior ${missing.join(', ')}, which the declaration does not carry`,
          details: Object.freeze({ exception: e.key, approvals: types }),
        }
      : {
          ...base,
          kind,
          outcome: 'HOLD' as const,
          text: `Exception '${e.exception.title}' claimed; missing at declaration: ${missing.join(', ')}`,
          details: Object.freeze({ exception: e.key, documents: types }),
        },
  );
  if (known.size < MISSING_REASONS) known.set(key, reason);
  return reason;
}

/**
 * The types of `required` that no reference in `carried` has, in `required`'s order (a loop rather
 * than `filter` and `some`: no closures per exception evaluated).
 */
function missingTypes(required: readonly string[], carried: readonly { type: string }[]): string[] {
  const missing: string[] = [];
  for (const type of required) {
    let found = false;
    for (const r of carried)
      if (r.type === type) {
        found = true;
        break;
      }
    if (!found) missing.push(type);
  }
  return missing;
}

function evaluateException(
  hit: MeasureHit,
  e: CompiledException,
  declaration: Declaration,
  date: string,
  ledger: CapLedger | undefined,
): MeasureResult {
  const m = hit.measure;
  if (declaration.flags.includes(SOLID_INFORMATION)) {
    const base = reasonBase(hit, e);
    const clause = e.exception.revoked_by.find((r) => r.flag === SOLID_INFORMATION)?.clause;
    return {
      outcome: 'REFUSE',
      reasons: [
        {
          ...base,
          kind: 'solid-information',
          outcome: 'REFUSE',
          text: clause
            ? `Exception '${e.exception.title}' revoked by solid information: ${clause}`
            : `Credible information contradicts the claimed exception '${e.exception.title}': its conditions are not established`,
          details: { exception: e.key },
        },
      ],
      missingDocuments: [],
      missingApprovals: [],
      exception: e,
      draw: null,
    };
  }
  const missingApprovals = missingTypes(e.approvals, declaration.approvals);
  const missingDocuments = missingTypes(e.documents, declaration.documents);
  if (missingApprovals.length > 0) {
    return {
      outcome: 'REFUSE',
      reasons: [missingReason(hit, e, 'approval-missing', missingApprovals)],
      missingDocuments,
      missingApprovals,
      exception: e,
      draw: null,
    };
  }
  if (missingDocuments.length > 0) {
    return {
      outcome: 'HOLD',
      reasons: [missingReason(hit, e, 'document-missing', missingDocuments)],
      missingDocuments,
      missingApprovals,
      exception: e,
      draw: null,
    };
  }
  const reasons: Reason[] = [e.appliedReason];
  for (const n of m.notificationReasons)
    if (!n.exceptions || n.exceptions.includes(e.id)) reasons.push(n.reason);
  let draw: CapDraw | null = null;
  if (e.cap) {
    if (!ledger) {
      const base = reasonBase(hit, e);
      return {
        outcome: 'HOLD',
        reasons: [
          {
            ...base,
            kind: 'cap-unmeasured',
            outcome: 'HOLD',
            text: `Exception '${e.exception.title}' draws on cap '${e.cap.title}', and no cap ledger was supplied`,
            details: { cap: e.cap.id },
          },
        ],
        missingDocuments,
        missingApprovals,
        exception: e,
        draw: null,
      };
    }
    draw = ledger.draw(m.id, e.citation, e.cap, declaration, date, e.unconfirmed);
    if (!draw.ok) {
      const outcome = draw.reasons.some((r) => r.outcome === 'REFUSE') ? 'REFUSE' : 'HOLD';
      return { outcome, reasons: draw.reasons, missingDocuments, missingApprovals, exception: e, draw: null };
    }
  }
  return { outcome: 'CLEAR', reasons, missingDocuments, missingApprovals, exception: e, draw };
}

/**
 * Screens a batch in declaration-date order (stable: ties keep input order), so cap ledgers are
 * consumed as the trade happened, and returns the decisions in input order.
 */
export function screenBatch(
  compiled: CompiledRegime,
  declarations: readonly Declaration[],
  options: ScreenOptions,
): Decision[] {
  const order = declarations.map((_, i) => i);
  const dateOf = (i: number) => options.asOf ?? declarations[i]!.date;
  order.sort((a, b) => (dateOf(a) < dateOf(b) ? -1 : dateOf(a) > dateOf(b) ? 1 : a - b));
  const out = new Array<Decision>(declarations.length);
  for (const i of order) out[i] = screenDeclaration(compiled, declarations[i]!, options);
  return out;
}

/** The JSON shape of a decision (docs/formats.md, "Decisions"): snake_case keys. */
export interface DecisionJson {
  id: string;
  decision: Outcome;
  reasons: {
    kind: string;
    outcome: Outcome;
    measure: string;
    citation: string;
    text: string;
    unconfirmed: boolean;
    details: Record<string, unknown> | null;
  }[];
  missing_documents: string[];
  missing_approvals: string[];
  exception: string | null;
  conditions: string[];
  as_of: string;
  jurisdiction: string;
  regime_version: string;
  lists: { id: string; hash: string; published: string }[];
}

export function reasonToJson(r: Reason): DecisionJson['reasons'][number] {
  return {
    kind: r.kind,
    outcome: r.outcome,
    measure: r.measure,
    citation: r.citation,
    text: r.text,
    unconfirmed: r.unconfirmed ?? false,
    details: r.details ?? null,
  };
}

export function decisionToJson(d: Decision): DecisionJson {
  return {
    id: d.id,
    decision: d.decision,
    reasons: d.reasons.map(reasonToJson),
    missing_documents: d.missingDocuments,
    missing_approvals: d.missingApprovals,
    exception: d.exception,
    conditions: d.conditions,
    as_of: d.asOf,
    jurisdiction: d.jurisdiction,
    regime_version: d.regimeVersion,
    lists: d.lists,
  };
}

const reasonJsonCache = new WeakMap<Reason, string>();
const simpleMiddleCache = new WeakMap<Reason, string>();
const SAFE = /^[\w:.-]*$/;

/** JSON string of a value that is almost always plain (dates, `CN`, `sha256:…`), skipping JSON.stringify when it is. */
function plain(v: string): string {
  return SAFE.test(v) ? `"${v}"` : JSON.stringify(v);
}

/**
 * One decision as a JSON line, byte-for-byte `JSON.stringify(decisionToJson(d))`. Frozen reasons
 * shared across decisions (banned, exception applied, not covered) are serialised once and cached,
 * which keeps the streaming CLI fast.
 */
export function decisionToJsonLine(d: Decision): string {
  // the common shape (one shared reason, nothing missing, no exception, no lists): all but the id
  // and the date is the same string every time
  if (
    d.reasons.length === 1 &&
    d.exception === null &&
    d.conditions.length === 0 &&
    d.missingDocuments.length === 0 &&
    d.missingApprovals.length === 0 &&
    d.lists.length === 0
  ) {
    const r = d.reasons[0]!;
    if (Object.isFrozen(r) && r.outcome === d.decision) {
      let middle = simpleMiddleCache.get(r);
      if (middle === undefined) {
        middle = `,"decision":"${d.decision}","reasons":[${JSON.stringify(reasonToJson(r))}],"missing_documents":[],"missing_approvals":[],"exception":null,"conditions":[]`;
        simpleMiddleCache.set(r, middle);
      }
      return `{"id":${JSON.stringify(d.id)}${middle}${tailOf(d)},"lists":[]}`;
    }
  }
  let reasons = '';
  for (let i = 0; i < d.reasons.length; i++) {
    const r = d.reasons[i]!;
    let text = Object.isFrozen(r) ? reasonJsonCache.get(r) : undefined;
    if (text === undefined) {
      text = JSON.stringify(reasonToJson(r));
      if (Object.isFrozen(r)) reasonJsonCache.set(r, text);
    }
    reasons += i === 0 ? text : `,${text}`;
  }
  return `{"id":${JSON.stringify(d.id)},"decision":"${d.decision}","reasons":[${reasons}],"missing_documents":${
    d.missingDocuments.length ? JSON.stringify(d.missingDocuments) : '[]'
  },"missing_approvals":${d.missingApprovals.length ? JSON.stringify(d.missingApprovals) : '[]'},"exception":${
    d.exception === null ? 'null' : JSON.stringify(d.exception)
  },"conditions":${d.conditions.length ? JSON.stringify(d.conditions) : '[]'}${tailOf(d)},"lists":${
    d.lists.length ? JSON.stringify(d.lists) : '[]'
  }}`;
}

// `,"as_of":…,"jurisdiction":…,"regime_version":…` repeats across a run: built once per date
let tailJurisdiction = '';
let tailVersion = '';
const tails = new Map<string, string>();

function tailOf(d: Decision): string {
  if (d.jurisdiction !== tailJurisdiction || d.regimeVersion !== tailVersion) {
    tailJurisdiction = d.jurisdiction;
    tailVersion = d.regimeVersion;
    tails.clear();
  }
  let tail = tails.get(d.asOf);
  if (tail === undefined) {
    tail = `,"as_of":${plain(d.asOf)},"jurisdiction":${plain(d.jurisdiction)},"regime_version":${plain(d.regimeVersion)}`;
    if (tails.size < 10_000) tails.set(d.asOf, tail);
  }
  return tail;
}
