/**
 * Screening into the store (`embargo screen <file> --store`). Rows are taken in chunks; each chunk
 * is verified against the stored approval chains, screened, and written in ONE transaction with
 * its audit entries, its cases and the batch's progress. So a batch killed at any instant leaves
 * whole chunks or nothing, and running the same command again finishes it: chunks the batch record
 * says are committed are only re-screened for output (no database work), the rest are written
 * idempotently (same id and content → same version; same version and context → same decision).
 */

import { type ApprovalChain, CHAINS, chainForApprovalType } from '../core/approvals/approval-chain.js';
import { type ApprovalVerdict, verifyApproval } from '../core/approvals/approval-verifier.js';
import { canonicalJson } from '../core/audit/audit-chain.js';
import { applyCaseAction, type CaseState, openCase } from '../core/cases/case-rules.js';
import type { Decision, Outcome, Reason } from '../core/screening/decision.js';
import type { Declaration } from '../core/screening/declaration.js';
import { sha256 } from '../store/kysely-store.js';
import type { BatchRecord, DecisionRecord, Store, StoreReader, StoreWriter } from '../store/port.js';
import { recordApprovalUses } from './approvals-service.js';
import {
  DECISIONS_RECORDED,
  decisionsRecordedJson,
  outcomeHash,
  type RecordedDecision,
} from './decision-trail.js';
import { declarationJson, quoteJson } from './declaration-json.js';
import type { StoreWriterThread } from './store-writer.js';
import type { PreparedRows } from './store-writer-protocol.js';

/** Whatever turns a declaration into a decision (the compiled regime with its options). */
export interface Screener {
  screen(declaration: Declaration): Decision;
}

/** One input row as the reader gives it: a declaration, or a reject the caller reports itself. */
export type ScreeningRow<R = unknown> =
  | { declaration: Declaration; reject?: undefined }
  | { reject: R; declaration?: undefined };

export interface RecordedScreening {
  declaration: Declaration;
  decision: Decision;
  version: number;
  decisionSeq: number;
  /** false when this exact decision was already stored (idempotent re-run) */
  created: boolean;
  caseId: string | null;
}

export interface RowResult<R = unknown> {
  row: ScreeningRow<R>;
  decision?: Decision;
}

export interface ScreenIntoStoreOptions<R> {
  store: Store;
  screener: Screener;
  rows: AsyncIterable<ScreeningRow<R>> | Iterable<ScreeningRow<R>>;
  /** recorded as the actor of every audit entry */
  actor: string;
  /** the input, as named to the user (file path or `-`) */
  source: string;
  /** identifies the batch for resuming; null (stdin) → no resume */
  batchId: string | null;
  chunkSize?: number;
  /** called in input order, only after the row's chunk is committed */
  onResult?: (result: RowResult<R>) => void | Promise<void>;
}

export interface BatchSummary {
  rows: number;
  decisions: Record<string, number>;
  rejects: number;
  /** decisions newly written by this run (0 on a run that found everything stored) */
  stored: number;
  /** rows a previous run had already committed (skipped for writing) */
  resumedFrom: number;
}

export const DEFAULT_CHUNK = 500;
/**
 * Pipelined mode: input rows per write transaction (several reader batches). Fewer, larger
 * transactions: fewer commits (WAL writes, PostgreSQL round trips and flushes) per row.
 */
export const PIPELINE_CHUNK_ROWS = 2_400;

export function declarationHash(declaration: Declaration): string {
  return sha256(declarationJson(declaration));
}

/**
 * What a decision's context text holds besides its approvals, as `canonicalJson` writes it, with the
 * hash of the text of a decision that cites none. Most rows share one (same regime, jurisdiction,
 * lists and as-of date), so both are made once per context (docs/decisions.md ST16).
 */
interface Context {
  regimeVersion: string;
  jurisdiction: string;
  /** canonicalJson of the lists, '' for none */
  lists: string;
  /** `"as_of":…,"jurisdiction":…,"lists":…,"regime":…}`: the text after the approvals */
  rest: string;
  /** the context hash of a decision screened under no approval */
  plain: string;
}

/** contexts by as-of date (a handful each); past CONTEXT_LIMIT in all, started afresh */
const contexts = new Map<string, Context[]>();
let contextCount = 0;
/** context hashes of decisions that cite approvals, by their text */
const approvalContexts = new Map<string, string>();
const CONTEXT_LIMIT = 10_000;

function contextOf(decision: Decision): Context {
  const lists = decision.lists.length === 0 ? '' : canonicalJson(decision.lists);
  const known = contexts.get(decision.asOf);
  if (known)
    for (const c of known)
      if (
        c.regimeVersion === decision.regimeVersion &&
        c.jurisdiction === decision.jurisdiction &&
        c.lists === lists
      )
        return c;
  if (contextCount >= CONTEXT_LIMIT) {
    contexts.clear();
    contextCount = 0;
  }
  const others = canonicalJson({
    regime: decision.regimeVersion,
    as_of: decision.asOf,
    jurisdiction: decision.jurisdiction,
    lists: decision.lists,
  });
  const rest = others === '{}' ? '}' : `,${others.slice(1)}`;
  const context: Context = {
    regimeVersion: decision.regimeVersion,
    jurisdiction: decision.jurisdiction,
    lists,
    rest,
    plain: sha256(`{"approvals":[]${rest}`),
  };
  if (known) known.push(context);
  else contexts.set(decision.asOf, [context]);
  contextCount++;
  return context;
}

/**
 * The context a decision was made in: same declaration version + same context → same decision.
 * The hash of `canonicalJson({ regime, as_of, jurisdiction, lists, approvals })`, `approvals` being
 * `[type:reference, accepted]` per verdict; the text is put together from the decision's cached
 * context rather than built and sorted again for every row.
 */
export function contextHash(decision: Decision, verdicts: readonly ApprovalVerdict[]): string {
  const context = contextOf(decision);
  if (verdicts.length === 0) return context.plain;
  let text = '{"approvals":[';
  for (let i = 0; i < verdicts.length; i++) {
    const v = verdicts[i]!;
    const accepted =
      v.accepted === true ? 'true' : v.accepted === false ? 'false' : canonicalJson(v.accepted);
    text += `${i ? ',' : ''}[${quoteJson(`${v.reference.type}:${v.reference.reference}`)},${accepted}]`;
  }
  text += `]${context.rest}`;
  let hash = approvalContexts.get(text);
  if (hash === undefined) {
    if (approvalContexts.size >= CONTEXT_LIMIT) approvalContexts.clear();
    hash = sha256(text);
    approvalContexts.set(text, hash);
  }
  return hash;
}

/** chainForApprovalType (a search of CHAINS) once per approval type */
const chainsByType = new Map<string, ReturnType<typeof chainForApprovalType>>();

function approvalChainOf(type: string): ReturnType<typeof chainForApprovalType> {
  const known = chainsByType.get(type);
  if (known !== undefined || chainsByType.has(type)) return known;
  const chain = chainForApprovalType(type);
  if (chainsByType.size < 64) chainsByType.set(type, chain);
  return chain;
}

/** Approval keys a batch's ledger holds before it forgets those its committed transactions cited. */
export const LEDGER_KEYS = 4_096;

/**
 * Approval look-ups for one chunk: chains are read once, and quantities that earlier declarations
 * of the same chunk draw count against later ones before any of them is written.
 */
export class ApprovalLedger {
  private readonly chains = new Map<string, ApprovalChain | null>();
  /** per approval key: declaration id → quantity, stored uses and this chunk's draws alike */
  private readonly uses = new Map<string, Map<string, number>>();
  /** per approval key: the write transaction that last cited or drew on it (see `forget`) */
  private readonly citedIn = new Map<string, number>();
  /**
   * The write transaction the declarations verified from now on will be stored in (a batch's
   * ledger outlives its transactions: see `forget`).
   */
  transaction = 0;

  constructor(private readonly store: StoreReader) {}

  /** approval keys held (chains read, including the ones the store does not hold) */
  get size(): number {
    return this.chains.size;
  }

  /**
   * Once more than `limit` keys are held, drops every key last cited or drawn on in a transaction
   * up to `committed`: the store now holds those draws, so a later citation reads the chain and its
   * uses again, as a fresh ledger would. Keys cited by a transaction not yet committed are kept
   * (their draws are only here). A batch whose rows cite references of their own (a filing per
   * declaration) would otherwise keep every one of them until it ends.
   */
  forget(committed: number, limit = LEDGER_KEYS): void {
    if (this.chains.size <= limit) return;
    for (const [key, transaction] of this.citedIn) {
      if (transaction > committed) continue;
      this.chains.delete(key);
      this.uses.delete(key);
      this.citedIn.delete(key);
    }
  }

  /** Loads every chain (and its uses) the declarations cite, a few round trips for the chunk. */
  async prefetch(declarations: readonly Declaration[]): Promise<void> {
    const wanted = new Map<string, Set<string>>();
    for (const d of declarations) {
      for (const r of d.approvals) {
        if (!approvalChainOf(r.type) || this.chains.has(`${r.type}:${r.reference}`)) continue;
        const refs = wanted.get(r.type) ?? new Set<string>();
        refs.add(r.reference);
        wanted.set(r.type, refs);
      }
    }
    for (const [type, refs] of wanted) {
      const list = [...refs];
      for (const ref of list) {
        this.chains.set(`${type}:${ref}`, null);
        this.citedIn.set(`${type}:${ref}`, this.transaction);
      }
      const chains = await this.store.approvalsOf(type, list);
      for (const chain of chains) this.chains.set(`${type}:${chain.ref}`, chain);
      // what was drawn on a reference with no chain changes no verdict (it is refused as not on
      // record whatever was drawn): read the uses of the chains found only
      if (chains.length === 0) continue;
      const found = chains.length === list.length ? list : chains.map((c) => c.ref);
      for (const use of await this.store.approvalUsesOf(type, found)) {
        const key = `${type}:${use.ref}`;
        const map = this.uses.get(key) ?? new Map<string, number>();
        map.set(use.declarationId, use.quantity);
        this.uses.set(key, map);
      }
    }
  }

  /** true when every chain the declaration cites is loaded (`verdictsOf` needs no prefetch) */
  loaded(declaration: Declaration): boolean {
    for (const r of declaration.approvals)
      if (approvalChainOf(r.type) && !this.chains.has(`${r.type}:${r.reference}`)) return false;
    return true;
  }

  async verify(declaration: Declaration): Promise<ApprovalVerdict[]> {
    if (!this.loaded(declaration)) await this.prefetch([declaration]);
    return this.verdictsOf(declaration);
  }

  /** `verify` once the chains are loaded: no promise */
  verdictsOf(declaration: Declaration): ApprovalVerdict[] {
    return declaration.approvals.map((reference) => {
      const key = `${reference.type}:${reference.reference}`;
      this.citedIn.set(key, this.transaction);
      const found = this.chains.get(key) ?? undefined;
      let used = 0;
      const uses = this.uses.get(key);
      if (uses) for (const [id, q] of uses) if (id !== declaration.id) used += q;
      return verifyApproval(declaration, reference, found, used);
    });
  }

  /** notes what a cleared declaration of this chunk draws (it is written with the chunk) */
  draw(declarationId: string, verdicts: readonly ApprovalVerdict[]): void {
    for (const v of verdicts) {
      if (!v.accepted || v.quantity === undefined) continue;
      const key = `${v.reference.type}:${v.reference.reference}`;
      this.citedIn.set(key, this.transaction);
      const uses = this.uses.get(key) ?? new Map<string, number>();
      uses.set(declarationId, v.quantity);
      this.uses.set(key, uses);
    }
  }
}

/**
 * Screens a declaration after checking its approvals against the stored chains: an approval the
 * store does not accept is taken away before screening, and the decision gains a reason saying why.
 */
export async function screenWithApprovals(
  store: StoreReader,
  screener: Screener,
  declaration: Declaration,
  ledger: ApprovalLedger = new ApprovalLedger(store),
): Promise<{ decision: Decision; verdicts: ApprovalVerdict[] }> {
  if (declaration.approvals.length === 0) return { decision: screener.screen(declaration), verdicts: [] };
  return screenUnder(screener, declaration, await ledger.verify(declaration), ledger);
}

/** The rest of `screenWithApprovals`, once the declaration's approvals are verified. */
function screenUnder(
  screener: Screener,
  declaration: Declaration,
  verdicts: ApprovalVerdict[],
  ledger: ApprovalLedger,
): { decision: Decision; verdicts: ApprovalVerdict[] } {
  const accepted = verdicts.filter((v) => v.accepted).map((v) => v.reference);
  const decision = screener.screen({ ...declaration, approvals: accepted });
  if (decision.decision === 'CLEAR') ledger.draw(declaration.id, verdicts);
  const explanations: Reason[] = verdicts
    .filter((v) => !v.accepted && decision.missingApprovals.includes(v.reference.type))
    .map((v) => ({
      kind: 'approval-missing',
      outcome: decision.decision,
      measure: '',
      citation: approvalChainOf(v.reference.type)?.citation ?? CHAINS['rason-transit-coal'].citation,
      text: `approval ${v.reference.type}:${v.reference.reference} not accepted: ${v.reason}`,
      details: { approval: `${v.reference.type}:${v.reference.reference}` },
    }));
  return { decision: { ...decision, reasons: [...decision.reasons, ...explanations] }, verdicts };
}

type AuditDraft = Parameters<StoreWriter['appendAuditMany']>[0][number];

/** A declaration screened (phase one of recording), with the approval verdicts it was screened under. */
export interface ScreenedDeclaration {
  declaration: Declaration;
  decision: Decision;
  verdicts: readonly ApprovalVerdict[];
}

/** the verdicts of every declaration that cites no approval (one frozen array, not one per row) */
const NO_VERDICTS: readonly ApprovalVerdict[] = Object.freeze([]);

/** The store holds other approval data than a decision was screened under (another writer changed it). */
export class StaleApprovalsError extends Error {
  constructor(readonly declarationId: string) {
    super(`the approvals cited by declaration ${declarationId} changed while it was screened`);
  }
}

/**
 * Phase one of recording: screens declarations, checking their approvals through `ledger` (which
 * counts the quantities earlier declarations draw). Reads only; `storeScreened` writes the result.
 */
export async function screenDeclarations(
  reader: StoreReader,
  screener: Screener,
  declarations: readonly Declaration[],
  ledger: ApprovalLedger = new ApprovalLedger(reader),
): Promise<ScreenedDeclaration[]> {
  await ledger.prefetch(declarations);
  const screened: ScreenedDeclaration[] = [];
  for (const declaration of declarations) {
    if (declaration.approvals.length === 0) {
      // nothing to check against the store: no promise per row
      screened.push({ declaration, decision: screener.screen(declaration), verdicts: NO_VERDICTS });
    } else {
      // the chunk's chains are loaded by now: verified without a promise per row
      const { decision, verdicts } = ledger.loaded(declaration)
        ? screenUnder(screener, declaration, ledger.verdictsOf(declaration), ledger)
        : await screenWithApprovals(reader, screener, declaration, ledger);
      screened.push({ declaration, decision, verdicts });
    }
  }
  return screened;
}

const sameVerdict = (a: ApprovalVerdict | undefined, b: ApprovalVerdict | undefined) =>
  a !== undefined &&
  b !== undefined &&
  a.accepted === b.accepted &&
  a.reason === b.reason &&
  a.quantity === b.quantity &&
  a.unit === b.unit &&
  a.reference.type === b.reference.type &&
  a.reference.reference === b.reference.reference;

/**
 * A screening ready to store: what the writer needs and nothing more, mostly strings, so that
 * handing it to a writer thread is cheap. `declaration` is kept only when approvals are cited
 * (the writer re-checks them against the stored chains).
 */
export interface PreparedScreening {
  id: string;
  /** canonical JSON of the declaration: both what the content hash covers and the stored body */
  body: string;
  hash: string;
  contextHash: string;
  record: DecisionRecord;
  partyMatch: boolean;
  verdicts: readonly ApprovalVerdict[];
  declaration?: Declaration;
}

const PARTY_KINDS: ReadonlySet<string> = new Set(['party-designated', 'party-possible-match']);
/** JSON of a reason the engine shares between decisions (frozen): serialised once. */
const frozenReasonJson = new WeakMap<Reason, string>();

/** `[<reason>]` of a decision whose one reason is a shared (frozen) one: the same string each time. */
const singleReasonJson = new WeakMap<Reason, string>();

function reasonsJson(reasons: readonly Reason[]): string {
  const only = reasons.length === 1 ? reasons[0]! : undefined;
  if (only && Object.isFrozen(only)) {
    let text = singleReasonJson.get(only);
    if (text === undefined) {
      text = `[${JSON.stringify(only)}]`;
      singleReasonJson.set(only, text);
    }
    return text;
  }
  let out = '[';
  for (let i = 0; i < reasons.length; i++) {
    const r = reasons[i]!;
    let text = Object.isFrozen(r) ? frozenReasonJson.get(r) : undefined;
    if (text === undefined) {
      text = JSON.stringify(r);
      if (Object.isFrozen(r)) frozenReasonJson.set(r, text);
    }
    out += i ? `,${text}` : text;
  }
  return `${out}]`;
}

/** JSON of the string lists most decisions share (missing documents, conditions), by their items */
const stringListTexts = new Map<string, { items: readonly string[]; text: string }[]>();
let stringListCount = 0;

function sameItems(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** JSON.stringify(items), the same string each time for a list of strings seen before */
function listJson(items: readonly unknown[]): string {
  if (items.length === 0) return '[]';
  const first = items[0];
  if (typeof first !== 'string') return JSON.stringify(items);
  for (let i = 1; i < items.length; i++) if (typeof items[i] !== 'string') return JSON.stringify(items);
  const strings = items as readonly string[];
  const known = stringListTexts.get(first);
  if (known) for (const k of known) if (sameItems(k.items, strings)) return k.text;
  if (stringListCount >= CONTEXT_LIMIT) {
    stringListTexts.clear();
    stringListCount = 0;
  }
  const text = JSON.stringify(items);
  const entry = { items: [...strings], text };
  if (known) known.push(entry);
  else stringListTexts.set(first, [entry]);
  stringListCount++;
  return text;
}

/** the party hits of the decisions that have none (one frozen array, not one per row) */
const NO_PARTY_HITS: DecisionRecord['partyHits'] = Object.freeze(
  [],
) as unknown as DecisionRecord['partyHits'];

/** The stored form of a decision (the same text JSON.stringify gives each column). */
function partyHitsOf(d: Decision): DecisionRecord['partyHits'] {
  let partyHits = NO_PARTY_HITS;
  for (const r of d.reasons) {
    if (PARTY_KINDS.has(r.kind)) {
      if (partyHits === NO_PARTY_HITS) partyHits = [];
      partyHits.push({
        kind: r.kind,
        outcome: r.outcome,
        text: r.text,
        details: JSON.stringify(r.details ?? {}),
      });
    }
  }
  return partyHits;
}

/** Writes the stored form of a decision into `record` (the same text JSON.stringify gives each column). */
function fillRecord(record: DecisionRecord, d: Decision): DecisionRecord {
  record.decision = d.decision;
  record.reasons = reasonsJson(d.reasons);
  record.missingDocuments = listJson(d.missingDocuments);
  record.missingApprovals = listJson(d.missingApprovals);
  record.exception = d.exception;
  record.conditions = listJson(d.conditions);
  record.asOf = d.asOf;
  record.jurisdiction = d.jurisdiction;
  record.regimeVersion = d.regimeVersion;
  record.lists = listJson(d.lists);
  record.partyHits = partyHitsOf(d);
  return record;
}

function hasPartyMatch(d: Decision): boolean {
  for (const r of d.reasons) if (r.kind === 'party-possible-match') return true;
  return false;
}

/** A prepared row with every field in place and empty, to be filled by `fillPrepared`. */
function blankPrepared(): PreparedScreening {
  return {
    id: '',
    body: '',
    hash: '',
    contextHash: '',
    record: {
      decision: 'CLEAR',
      reasons: '',
      missingDocuments: '',
      missingApprovals: '',
      exception: null,
      conditions: '',
      asOf: '',
      jurisdiction: '',
      regimeVersion: '',
      lists: '',
      partyHits: NO_PARTY_HITS,
    },
    partyMatch: false,
    verdicts: NO_VERDICTS,
    declaration: undefined,
  };
}

function fillPrepared(into: PreparedScreening, s: ScreenedDeclaration): PreparedScreening {
  const { declaration, decision, verdicts } = s;
  const body = declarationJson(declaration);
  into.id = declaration.id;
  into.body = body;
  into.hash = sha256(body);
  into.contextHash = contextHash(decision, verdicts);
  fillRecord(into.record, decision);
  into.partyMatch = hasPartyMatch(decision);
  into.verdicts = verdicts;
  into.declaration = declaration.approvals.length ? declaration : undefined;
  return into;
}

export function prepareScreening(s: ScreenedDeclaration): PreparedScreening {
  return fillPrepared(blankPrepared(), s);
}

/**
 * `prepareScreening` of each of `screened` in turn into one object, filled anew for each row: what
 * the writer thread's encoder reads (and copies into its columns) before it asks for the next row,
 * so that the pipelined path makes no object per row (docs/decisions.md ST16).
 */
export function preparedRows(screened: readonly ScreenedDeclaration[]): PreparedRows {
  const into = blankPrepared();
  return { length: screened.length, row: (i) => fillPrepared(into, screened[i]!) };
}

/**
 * Checks, inside the write transaction, that every approval verdict a declaration was screened
 * under (outside it) is still what the stored chains and uses give, replaying the chunk's own draws
 * in order. Throws StaleApprovalsError at the first difference.
 */
export async function recheckApprovals(
  tx: StoreReader,
  prepared: readonly PreparedScreening[],
): Promise<void> {
  const cited = prepared.filter((p) => p.declaration !== undefined);
  if (cited.length === 0) return;
  const ledger = new ApprovalLedger(tx);
  await ledger.prefetch(cited.map((p) => p.declaration!));
  for (const p of cited) {
    const now = await ledger.verify(p.declaration!);
    if (now.length !== p.verdicts.length || now.some((v, i) => !sameVerdict(v, p.verdicts[i]))) {
      throw new StaleApprovalsError(p.id);
    }
    if (p.record.decision === 'CLEAR') ledger.draw(p.id, now);
  }
}

/** What `storeScreened` records with each chunk, besides the screenings. */
export interface RecordContext {
  actor: string;
  source: string | null;
  batchId: string | null;
  followCase?: CaseState;
  /** first record the regime and list versions, if the trail has not seen them */
  announce?: boolean;
}

/**
 * Screens and records declarations inside an open write transaction. `followCase` (used when an
 * officer attaches a reference) moves that case to the new version instead of opening another.
 */
export async function recordScreenings(
  tx: StoreWriter,
  screener: Screener,
  declarations: readonly Declaration[],
  context: RecordContext,
): Promise<RecordedScreening[]> {
  const screened = await screenDeclarations(tx, screener, declarations);
  const stored = await storeScreened(tx, screened.map(prepareScreening), context);
  return screened.map((s, i) => ({ declaration: s.declaration, decision: s.decision, ...stored[i]! }));
}

/** What storing one screening did. */
export type StoredScreening = Omit<RecordedScreening, 'declaration' | 'decision'>;

/**
 * Phase two of recording, inside an open write transaction: declarations (idempotently, new
 * content → new version), decisions, party hits, approval uses, cases for HOLDs, and the audit
 * entries, in input order.
 */
export async function storeScreened(
  tx: StoreWriter,
  screened: readonly PreparedScreening[],
  context: RecordContext,
): Promise<StoredScreening[]> {
  const versions = await tx.putDeclarations(
    screened.map((s) => ({ id: s.id, contentHash: s.hash, source: context.source, body: s.body })),
  );
  // hashed here, on the writer thread, whose repeated texts are the same strings from its
  // shared-text table (cheap Map keys); on the screening thread each row's texts are new
  const outcomes = screened.map((s) => outcomeHash(s.record));
  const stored = await tx.putDecisions(
    screened.map((s, i) => ({
      declarationId: s.id,
      version: versions[i]!.version,
      contextHash: s.contextHash,
      decision: s.record,
      batchId: context.batchId,
      newVersion: versions[i]!.created,
      outcomeHash: outcomes[i],
    })),
  );
  const audit: AuditDraft[] = [];
  const caseAudit: AuditDraft[] = [];
  const cases = new Map<string, CaseState>();
  // A version created just now has no case yet: only look up the others.
  const known = screened.filter((_, i) => !versions[i]!.created).map((s) => s.id);
  for (const c of await tx.casesOfDeclarations(known)) {
    cases.set(`${c.declarationId}\u0000${c.version}`, c);
  }
  const newCases: Parameters<StoreWriter['insertCases']>[0][number][] = [];
  let nextNum = 0;
  // one `decisions.recorded` entry per run of decisions sharing jurisdiction and regime
  // version (in a batch: the whole chunk) instead of one entry per decision (ST11)
  const recordedGroups: { shared: DecisionRecord; decisions: RecordedDecision[] }[] = [];
  let recorded: (typeof recordedGroups)[number] | undefined;
  const results: StoredScreening[] = [];
  for (const [i, s] of screened.entries()) {
    const version = versions[i]!.version;
    const { seq, created } = stored[i]!;
    const key = `${s.id}\u0000${version}`;
    let caseId = cases.get(key)?.id ?? null;
    if (created) {
      const r = s.record;
      if (
        recorded === undefined ||
        r.jurisdiction !== recorded.shared.jurisdiction ||
        r.regimeVersion !== recorded.shared.regimeVersion
      ) {
        recorded = { shared: r, decisions: [] };
        recordedGroups.push(recorded);
      }
      recorded.decisions.push([s.id, version, seq, r.decision, r.asOf, s.hash, s.contextHash, outcomes[i]!]);
      if (s.record.decision === 'CLEAR') await recordApprovalUses(tx, s.id, version, s.verdicts);
      const existing = context.followCase ?? cases.get(key);
      if (existing) {
        caseId = await followUp(
          tx,
          existing,
          s.record.decision,
          s.partyMatch,
          version,
          seq,
          context.actor,
          caseAudit,
        );
      } else if (s.record.decision === 'HOLD') {
        if (nextNum === 0) nextNum = await tx.nextCaseNumber();
        const num = nextNum++;
        const opened = openCase(
          {
            id: `C-${num}`,
            declarationId: s.id,
            version,
            screeningOutcome: 'HOLD',
            partyMatch: s.partyMatch,
          },
          tx.now(),
        );
        cases.set(key, opened.state);
        newCases.push({ state: opened.state, num, event: opened.event, actor: context.actor });
        caseAudit.push({
          actor: context.actor,
          action: 'case.opened',
          subject: `case:${opened.state.id}`,
          payload: opened.event.payload,
        });
        caseId = opened.state.id;
      }
    }
    results.push({ version, decisionSeq: seq, created, caseId });
  }
  if (newCases.length) await tx.insertCases(newCases);
  // Decisions first, then what they caused, so the trail reads as it happened.
  const first = screened[0];
  const preamble = context.announce && first ? await announcements(tx, context.actor, first.record) : [];
  for (const group of recordedGroups) {
    audit.push({
      actor: context.actor,
      action: DECISIONS_RECORDED,
      subject:
        group.decisions.length === 1
          ? `declaration:${group.decisions[0]![0]}`
          : context.batchId
            ? `batch:${context.batchId}`
            : 'declarations',
      payloadJson: decisionsRecordedJson(context.batchId, group.shared, group.decisions),
    });
  }
  if (audit.length || caseAudit.length) await tx.appendAuditMany([...preamble, ...audit, ...caseAudit]);
  return results;
}

/** A new decision on a declaration that already has a case: the case records the re-screen. */
async function followUp(
  tx: StoreWriter,
  existing: CaseState,
  outcome: Outcome,
  partyMatch: boolean,
  version: number,
  decisionSeq: number,
  actor: string,
  audit: AuditDraft[],
): Promise<string> {
  if (existing.status === 'closed') return existing.id;
  // The system records the re-screen; it acts with the rights of whoever triggered it.
  const { state, event } = applyCaseAction(
    { ...existing, version },
    { type: 'rescreened', outcome, partyMatch, decisionSeq },
    { name: actor, role: 'officer' },
    tx.now(),
  );
  await tx.updateCase(state);
  await tx.addCaseEvent(state.id, event, actor);
  audit.push({
    actor,
    action: `case.${event.action}`,
    subject: `case:${state.id}`,
    payload: { version, ...event.payload },
  });
  return state.id;
}

/** Audit entries for the regime and list versions a batch screens under, the first time each is seen. */
async function announcements(
  tx: StoreWriter,
  actor: string,
  decision: DecisionRecord,
): Promise<AuditDraft[]> {
  const drafts: AuditDraft[] = [];
  const subject = `regime:${decision.regimeVersion}`;
  if (!(await tx.hasAudit('regime.loaded', subject))) {
    drafts.push({ actor, action: 'regime.loaded', subject, payload: { version: decision.regimeVersion } });
  }
  for (const list of JSON.parse(decision.lists) as Decision['lists']) {
    const listSubject = `list:${list.id}:${list.hash}`;
    if (!(await tx.hasAudit('list.loaded', listSubject))) {
      drafts.push({ actor, action: 'list.loaded', subject: listSubject, payload: list });
    }
  }
  return drafts;
}

/**
 * Records a batch chunk by chunk. `record(rows)` writes one chunk (declarations and rejects, in
 * input order) in one transaction with the batch's progress, and returns the decisions of its
 * declarations in order; a chunk a previous run already committed is only screened again.
 */
export class BatchRecorder<R = unknown> {
  readonly summary: BatchSummary;
  private readonly batch: BatchRecord;
  private announced = false;
  /** pipelined mode: chunks handed to the writer thread, not yet known to be committed */
  private readonly inFlight: Promise<void>[] = [];
  /** pipelined mode: one ledger for the batch, so a chunk counts what chunks still in flight draw */
  private ledger: ApprovalLedger | undefined;
  /** pipelined mode: rows sent ahead to the writer, and input rows seen, since the last transaction */
  private gathered = false;
  private gatheredRows = 0;
  /** pipelined mode: transactions handed to the writer, and the last one known committed */
  private handed = 0;
  private committedThrough = -1;

  private constructor(
    private readonly store: Store,
    private readonly screener: Screener,
    private readonly actor: string,
    private readonly source: string,
    private readonly batchId: string | null,
    previous: BatchRecord | undefined,
    private readonly writer: StoreWriterThread | undefined,
  ) {
    this.summary = { rows: 0, decisions: {}, rejects: 0, stored: 0, resumedFrom: previous?.rowsDone ?? 0 };
    this.batch = previous ?? {
      id: batchId ?? '',
      source,
      startedAt: store.now(),
      updatedAt: store.now(),
      finishedAt: null,
      rowsDone: 0,
      decisions: 0,
      rejects: 0,
    };
  }

  static async start<R>(options: {
    store: Store;
    screener: Screener;
    actor: string;
    source: string;
    batchId: string | null;
    /**
     * Pipelined mode (docs/decisions.md ST8): chunks are written by this writer thread while the
     * next one is screened. `record` then returns a chunk's decisions once screened; the chunk's
     * commit is confirmed (or its failure thrown) by a later `record` or by `finish`.
     */
    writer?: StoreWriterThread;
  }): Promise<BatchRecorder<R>> {
    const previous = options.batchId ? await options.store.getBatch(options.batchId) : undefined;
    return new BatchRecorder<R>(
      options.store,
      options.screener,
      options.actor,
      options.source,
      options.batchId,
      previous,
      options.writer,
    );
  }

  async record(rows: readonly ScreeningRow<R>[]): Promise<Decision[]> {
    if (rows.length === 0) return [];
    const { summary, batch, screener } = this;
    summary.rows += rows.length;
    const declarations: Declaration[] = [];
    for (const r of rows) if (r.declaration) declarations.push(r.declaration);
    const rejects = rows.length - declarations.length;
    let decisions: Decision[];
    if (summary.rows <= summary.resumedFrom) {
      // Committed by an earlier run: screen again for the output only. A chunk that straddles the
      // resume point is simply written again; the writes are idempotent.
      decisions = [];
      const ledger = new ApprovalLedger(this.store);
      await ledger.prefetch(declarations);
      for (const d of declarations) {
        decisions.push((await screenWithApprovals(this.store, screener, d, ledger)).decision);
      }
    } else if (this.writer) {
      decisions = await this.submit(declarations, rejects);
    } else {
      const recorded = await this.store.write(async (tx) => {
        const out = await recordScreenings(tx, screener, declarations, {
          actor: this.actor,
          source: this.source,
          batchId: this.batchId,
          // from a decision just made: screening once more could draw on a cap ledger twice
          announce: !this.announced,
        });
        if (out.length) this.announced = true;
        if (this.batchId) {
          batch.rowsDone = summary.rows;
          batch.decisions += out.length;
          batch.rejects += rejects;
          batch.updatedAt = tx.now();
          await tx.putBatch(batch);
        }
        return out;
      });
      summary.stored += recorded.filter((r) => r.created).length;
      decisions = recorded.map((r) => r.decision);
    }
    for (const d of decisions) summary.decisions[d.decision] = (summary.decisions[d.decision] ?? 0) + 1;
    summary.rejects += rejects;
    return decisions;
  }

  /**
   * Pipelined: screens the chunk here (approvals checked against what the store held when first
   * cited, plus what earlier chunks of this batch draw), hands it to the writer thread, which
   * re-checks those approvals inside its transaction, and waits for the chunk before it: at most
   * two chunks are ever uncommitted.
   */
  private async submit(declarations: readonly Declaration[], rejects: number): Promise<Decision[]> {
    const { summary, batch } = this;
    this.ledger ??= new ApprovalLedger(this.store);
    this.ledger.transaction = this.handed;
    const screened = await screenDeclarations(this.store, this.screener, declarations, this.ledger);
    if (this.batchId) {
      batch.rowsDone = summary.rows;
      batch.decisions += screened.length;
      batch.rejects += rejects;
      batch.updatedAt = this.store.now();
    }
    this.gatheredRows += declarations.length + rejects;
    // prepared row by row as the writer's encoder takes them: no object per row (ST16)
    const prepared = preparedRows(screened);
    if (this.gatheredRows >= PIPELINE_CHUNK_ROWS) this.hand(prepared, false);
    else if (prepared.length) {
      this.writer!.part({ screened: prepared, context: this.chunkContext(), batch: null });
      this.gathered = true;
    }
    while (this.inFlight.length > 1) await this.inFlight.shift();
    this.ledger.forget(this.committedThrough);
    return screened.map((s) => s.decision);
  }

  private chunkContext(): RecordContext {
    return { actor: this.actor, source: this.source, batchId: this.batchId, announce: !this.announced };
  }

  /**
   * Closes a transaction: the rows sent ahead since the last one, then `screened`, with the batch's
   * progress (and, at the end, its finish mark).
   */
  private hand(screened: PreparedRows | PreparedScreening[], finished: boolean): void {
    const { summary, batch } = this;
    const any = screened.length > 0 || this.gathered;
    this.gathered = false;
    this.gatheredRows = 0;
    if (!any && !this.batchId) return;
    if (finished && this.batchId) {
      batch.finishedAt = this.store.now();
      batch.updatedAt = batch.finishedAt;
    }
    const transaction = this.handed++;
    const committed = this.writer!.submit({
      screened,
      context: this.chunkContext(),
      batch: this.batchId ? { ...batch } : null,
    }).then((created) => {
      summary.stored += created;
      this.committedThrough = transaction;
    });
    committed.catch(() => {}); // awaited in submit() or finish(); this only marks it handled
    this.inFlight.push(committed);
    if (any) this.announced = true;
  }

  /** Marks the batch finished (a later identical run then only re-screens for output). */
  async finish(): Promise<BatchSummary> {
    if (this.writer) {
      // the last rows and the finish mark go in one transaction
      if (this.gathered || this.gatheredRows || (this.batchId && !this.batch.finishedAt)) this.hand([], true);
      while (this.inFlight.length) await this.inFlight.shift();
      return this.summary;
    }
    if (this.batchId && !this.batch.finishedAt) {
      await this.store.write(async (tx) => {
        this.batch.finishedAt = tx.now();
        this.batch.updatedAt = this.batch.finishedAt;
        await tx.putBatch(this.batch);
      });
    }
    return this.summary;
  }
}

export async function screenIntoStore<R>(options: ScreenIntoStoreOptions<R>): Promise<BatchSummary> {
  const recorder = await BatchRecorder.start<R>(options);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  let chunk: ScreeningRow<R>[] = [];
  const flush = async () => {
    const rows = chunk;
    chunk = [];
    const decisions = await recorder.record(rows);
    let next = 0;
    for (const row of rows) {
      await options.onResult?.(row.declaration ? { row, decision: decisions[next++]! } : { row });
    }
  };
  for await (const row of options.rows) {
    chunk.push(row);
    if (chunk.length >= chunkSize) await flush();
  }
  await flush();
  return recorder.finish();
}
