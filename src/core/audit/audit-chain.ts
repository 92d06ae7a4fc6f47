/**
 * The audit trail is a hash chain: each entry carries the hash of the entry before it, and its own
 * hash covers its content and that previous hash. Editing, removing, inserting or reordering an
 * entry therefore breaks the chain at that point. The hash function (sha256) is passed in so this
 * module stays pure; the store supplies node:crypto's.
 *
 * `seq` is deliberately NOT part of the hash: position is proven by the `prev_hash` link alone,
 * which is what lets the verifier tell "reordered" from "edited" (a moved entry still hashes
 * correctly, it just links to the wrong neighbour).
 */

/** The hash the first entry links to. */
export const GENESIS_HASH = '0'.repeat(64);

export type Hasher = (text: string) => string;

/** What a caller hands in; the store adds seq, time, previous hash and hash. */
export interface AuditInput {
  actor: string;
  /** dotted verb, e.g. `decision.recorded`, `case.noted`, `approval.advanced` */
  action: string;
  /** what the action is about, e.g. `declaration:D-1`, `case:C-3`, `approval:un-record-filing:RF-1` */
  subject: string;
  payload: unknown;
}

export interface AuditEntry {
  seq: number;
  /** ISO timestamp */
  at: string;
  actor: string;
  action: string;
  subject: string;
  /** canonical JSON text of the payload, stored and hashed exactly as written */
  payload: string;
  prevHash: string;
  hash: string;
}

/**
 * JSON with object keys sorted at every level and no whitespace, so one value has one text.
 * `undefined` members are dropped, as JSON.stringify does.
 * @example canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }) === '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  // Written as loops, not map/join: it runs on every stored declaration and audit entry.
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      keys.sort();
      break;
    }
  }
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(member)}`;
    first = false;
  }
  return `${out}}`;
}

/** The exact text an entry's hash is computed over. */
export function hashInput(entry: Omit<AuditEntry, 'seq' | 'hash'>): string {
  return JSON.stringify([entry.at, entry.actor, entry.action, entry.subject, entry.payload, entry.prevHash]);
}

/** Builds the next entry of the chain after `previous` (or the first one). */
export function chainEntry(
  input: AuditInput,
  previous: { seq: number; hash: string } | undefined,
  at: string,
  hasher: Hasher,
): AuditEntry {
  const base = {
    at,
    actor: input.actor,
    action: input.action,
    subject: input.subject,
    payload: canonicalJson(input.payload),
    prevHash: previous?.hash ?? GENESIS_HASH,
  };
  return { seq: (previous?.seq ?? 0) + 1, ...base, hash: hasher(hashInput(base)) };
}

export const TAMPER_KINDS = ['edited', 'removed', 'inserted', 'reordered'] as const;
export type TamperKind = (typeof TAMPER_KINDS)[number];

export interface TamperFinding {
  kind: TamperKind;
  /** the seq at which the chain first fails */
  seq: number;
  message: string;
}

/**
 * What one step of the walk finds, before any look-up: `null` when `entry` follows `previous`
 * correctly, otherwise the local symptom. `link` means the entry is intact but does not follow its
 * predecessor; `classifyLink` turns that into removed / inserted / reordered once the caller has
 * looked up where the entry's recorded predecessor now sits.
 */
export type StepProblem =
  | { problem: 'edited'; seq: number }
  | { problem: 'gap'; seq: number; missingFrom: number; missingTo: number }
  | { problem: 'link'; seq: number };

export function checkStep(
  previous: Pick<AuditEntry, 'seq' | 'hash'> | undefined,
  entry: AuditEntry,
  hasher: Hasher,
): StepProblem | null {
  if (hasher(hashInput(entry)) !== entry.hash) return { problem: 'edited', seq: entry.seq };
  const expectedSeq = (previous?.seq ?? 0) + 1;
  if (entry.seq !== expectedSeq) {
    return { problem: 'gap', seq: entry.seq, missingFrom: expectedSeq, missingTo: entry.seq - 1 };
  }
  if (entry.prevHash !== (previous?.hash ?? GENESIS_HASH)) return { problem: 'link', seq: entry.seq };
  return null;
}

/**
 * Names a broken link. `predecessorSeq` is where the entry whose hash this entry records as its
 * previous one now sits (undefined when no stored entry has that hash).
 * - predecessor later in the chain → entries were reordered;
 * - predecessor earlier than the entry just before → the entries between were inserted;
 * - predecessor gone → the entry that preceded it was removed (and the rest renumbered).
 * For an `edited` step, `nextSkipsIt` says the following entry links to the one before it: the
 * entry was slipped in, not edited.
 */
export function classifyStep(step: StepProblem, predecessorSeq?: number, nextSkipsIt = false): TamperFinding {
  switch (step.problem) {
    case 'edited':
      // An entry whose successor links straight past it never belonged to the chain.
      if (nextSkipsIt) {
        return {
          kind: 'inserted',
          seq: step.seq,
          message: `entry ${step.seq} was inserted: the entry after it links to the entry before it`,
        };
      }
      return {
        kind: 'edited',
        seq: step.seq,
        message: `entry ${step.seq} was edited: its content no longer matches its hash`,
      };
    case 'gap':
      return {
        kind: 'removed',
        seq: step.seq,
        message:
          step.missingFrom === step.missingTo
            ? `entry ${step.missingFrom} was removed (the chain jumps to ${step.seq})`
            : `entries ${step.missingFrom}–${step.missingTo} were removed (the chain jumps to ${step.seq})`,
      };
    case 'link':
      if (predecessorSeq === undefined) {
        return {
          kind: 'removed',
          seq: step.seq,
          message: `the entry before entry ${step.seq} was removed or replaced: entry ${step.seq} links to an entry no longer in the chain`,
        };
      }
      if (predecessorSeq >= step.seq) {
        return {
          kind: 'reordered',
          seq: step.seq,
          message: `entry ${step.seq} was moved: it follows entry ${predecessorSeq}, which now sits after it`,
        };
      }
      return {
        kind: 'inserted',
        seq: predecessorSeq + 1,
        message:
          predecessorSeq + 1 === step.seq - 1
            ? `entry ${predecessorSeq + 1} was inserted: entry ${step.seq} follows entry ${predecessorSeq}`
            : `entries ${predecessorSeq + 1}–${step.seq - 1} were inserted: entry ${step.seq} follows entry ${predecessorSeq}`,
      };
  }
}
