/**
 * Verifying and exporting the audit trail. The walk streams the chain in pages (memory stays flat
 * on millions of entries) and stops at the first entry that breaks it, named by kind: edited,
 * removed, inserted or reordered. Removing entries from the END of a chain leaves a shorter valid
 * chain; `expectHead` (a seq and hash noted earlier, e.g. from a previous verify or export) catches
 * that too.
 */
import {
  type AuditEntry,
  type AuditInput,
  checkStep,
  classifyStep,
  type TamperFinding,
} from '../core/audit/audit-chain.js';
import { sha256 } from '../store/kysely-store.js';
import type { Store, StoreReader } from '../store/port.js';
import { DecisionTrail } from './decision-trail.js';

export interface VerifyResult {
  ok: boolean;
  /** entries walked */
  entries: number;
  /** decisions the trail records, checked against the decisions table (when the chain is intact) */
  decisions: number;
  head: { seq: number; hash: string } | null;
  /** `decisionSeq` set: a decision row that does not match the trail (`seq` is then that too) */
  finding: (TamperFinding & { decisionSeq?: number }) | null;
}

const PAGE = 5000;
/** entries per page of the chain walk: a `decisions.recorded` entry can be ~230 KB (ST11, ST15) */
const AUDIT_PAGE = 500;

export interface VerifyOptions {
  /** listed decisions compared per window (DecisionTrail; tests use small ones) */
  window?: number;
  /** decision rows (and audit entries) read per page */
  page?: number;
}

export async function verifyAudit(
  store: StoreReader,
  expectHead?: { seq: number; hash: string },
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  let previous: AuditEntry | undefined;
  let entries = 0;
  let afterSeq = 0;
  const trail = new DecisionTrail(options.window);
  const auditPage = options.page ?? AUDIT_PAGE;
  for (;;) {
    const page = await store.auditPage(afterSeq, auditPage);
    for (const entry of page) {
      trail.add(entry);
      const step = checkStep(previous, entry, sha256);
      if (step) {
        let predecessorSeq: number | undefined;
        let nextSkipsIt = false;
        if (step.problem === 'link') predecessorSeq = await store.auditSeqOfHash(entry.prevHash);
        if (step.problem === 'edited') {
          const next = await store.auditBySeq(entry.seq + 1);
          nextSkipsIt = next !== undefined && previous !== undefined && next.prevHash === previous.hash;
        }
        return {
          ok: false,
          entries,
          decisions: 0,
          head: previous ? { seq: previous.seq, hash: previous.hash } : null,
          finding: classifyStep(step, predecessorSeq, nextSkipsIt),
        };
      }
      previous = entry;
      entries++;
    }
    if (page.length < auditPage) break;
    afterSeq = page[page.length - 1]?.seq ?? afterSeq;
  }
  const head = previous ? { seq: previous.seq, hash: previous.hash } : null;
  const decisions = trail.size;
  // The chain is intact: every decision row must be the one an entry of it records (ST11).
  const wrong = await trail.check(store, options.page ?? PAGE);
  if (wrong) {
    return {
      ok: false,
      entries,
      decisions,
      head,
      finding: {
        kind: wrong.kind,
        seq: wrong.decisionSeq,
        decisionSeq: wrong.decisionSeq,
        message: wrong.message,
      },
    };
  }
  if (expectHead) {
    const atSeq = await store.auditBySeq(expectHead.seq);
    if (!atSeq) {
      return {
        ok: false,
        entries,
        decisions,
        head,
        finding: {
          kind: 'removed',
          seq: expectHead.seq,
          message: `entry ${expectHead.seq} (the expected head) is gone: the chain ends at ${head?.seq ?? 0}`,
        },
      };
    }
    if (atSeq.hash !== expectHead.hash) {
      return {
        ok: false,
        entries,
        decisions,
        head,
        finding: {
          kind: 'edited',
          seq: expectHead.seq,
          message: `entry ${expectHead.seq} no longer has the expected hash ${expectHead.hash.slice(0, 12)}…`,
        },
      };
    }
  }
  return { ok: true, entries, decisions, head, finding: null };
}

/** The JSON-lines export: one object per entry, snake_case, payload parsed back to JSON. */
export function auditExportLine(entry: AuditEntry): string {
  return JSON.stringify({
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject,
    payload: JSON.parse(entry.payload),
    prev_hash: entry.prevHash,
    hash: entry.hash,
  });
}

export async function* exportAudit(store: StoreReader): AsyncGenerator<string> {
  let afterSeq = 0;
  for (;;) {
    const page = await store.auditPage(afterSeq, AUDIT_PAGE);
    for (const entry of page) yield `${auditExportLine(entry)}\n`;
    if (page.length < AUDIT_PAGE) return;
    afterSeq = page[page.length - 1]?.seq ?? afterSeq;
  }
}

/**
 * Appends one entry for a state change that happens outside the store's own services, such as a
 * party-list import (`list.imported`, subject `list:<id>:<sha256>`) or a regime change
 * (`regime.changed`, subject `regime:<version>`), in its own transaction.
 */
export async function recordStateChange(store: Store, input: AuditInput): Promise<AuditEntry> {
  return store.write((tx) => tx.appendAudit(input));
}

export type { AuditInput };
