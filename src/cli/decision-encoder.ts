/**
 * Decisions as JSON-line bytes, written straight into an output buffer: byte for byte
 * `decisionToJsonLine(d) + '\n'` (src/core/screening/screen.ts, the reference the tests compare
 * against), without building a string per row.
 *
 * Most decisions of a file share everything but their id: their reasons are the frozen objects the
 * compiled regime hands out, and their as-of date, jurisdiction and regime version repeat. So the
 * bytes after the id are cached, keyed on the identity of the (frozen) reasons, then on the other
 * fields by value, then on the as-of date. A row then costs its id (written as Latin-1 when it is
 * plain ASCII, which UTF-8 writes identically) and one copy of the cached tail. Reasons built per
 * row (missing documents, approvals, solid information) are known by a frozen copy of the first
 * one with the same JSON; anything else takes the reference serialiser.
 *
 * @example
 *   const encoder = new DecisionEncoder();
 *   const end = encoder.encode(decision, buffer, offset); // -1: no room left in buffer
 */
import type { Decision, Reason } from '../core/screening/decision.js';
import { decisionToJsonLine } from '../core/screening/screen.js';

/** Buffer's own encoders (untyped in @types/node): `write(s, offset, enc)` without argument parsing. */
interface RawWrite {
  utf8Write(text: string, offset: number): number;
}

type Lists = Decision['lists'];

/** The fields after the reasons that, with them, decide every byte after the id. */
interface Variant {
  decision: string;
  exception: string | null;
  conditions: readonly string[];
  missingDocuments: readonly string[];
  missingApprovals: readonly string[];
  lists: Lists;
  jurisdiction: string;
  regimeVersion: string;
  /** as-of date → the bytes after the id's closing quote, up to and including the line feed */
  tails: Map<string, Buffer>;
  /** the last as-of date asked for and its bytes (inputs sorted by date ask for the same one again) */
  lastAsOf: string;
  lastTail: Buffer | undefined;
}

interface ChainNode {
  variants: Variant[];
  /** the next reason of longer reason lists */
  next: WeakMap<Reason, ChainNode> | undefined;
}

/** Cached bytes at most (beyond that, decisions are encoded without the cache: same bytes, slower). */
const CACHE_BYTES = 8 << 20;
const MAX_VARIANTS = 16;

const sameStrings = (a: readonly string[], b: readonly string[]) => {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
};

const sameLists = (a: Lists, b: Lists) => {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    if (x.id !== y.id || x.hash !== y.hash || x.published !== y.published) return false;
  }
  return true;
};

/** Canonical copies of per-row reasons kept at most. */
const MAX_INTERNED = 4096;

/** Same JSON for the two reasons, as `reasonToJson` writes them (its key order is fixed). */
function sameReason(a: Reason, b: Reason): boolean {
  return (
    a.kind === b.kind &&
    a.outcome === b.outcome &&
    a.measure === b.measure &&
    a.citation === b.citation &&
    a.text === b.text &&
    (a.unconfirmed ?? false) === (b.unconfirmed ?? false) &&
    sameData(a.details ?? null, b.details ?? null)
  );
}

const isPlainObject = (v: object) => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * True when `a` and `b` are the same plain data (strings, finite numbers, booleans, null, arrays,
 * plain objects with the same keys in the same order), hence the same JSON. Anything else (dates,
 * class instances, functions, NaN) is never called the same: the caller then does not use the cache.
 */
function sameData(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' || typeof a === 'boolean' || a === null) return a === b;
  if (typeof a === 'number') return a === b && Number.isFinite(a);
  if (typeof a !== 'object' || typeof b !== 'object' || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let k = 0; k < a.length; k++) if (!sameData(a[k], b[k])) return false;
    return true;
  }
  if (Array.isArray(b) || !isPlainObject(a) || !isPlainObject(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let k = 0; k < ka.length; k++) {
    const key = ka[k]!;
    if (key !== kb[k]) return false;
    if (!sameData((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

const NOT_PLAIN = Symbol('not plain data');

/** A deep-frozen copy of plain data (see `sameData`), or NOT_PLAIN. */
function frozenCopy(v: unknown): unknown {
  if (typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : NOT_PLAIN;
  if (typeof v !== 'object') return NOT_PLAIN;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const c = frozenCopy(x);
      if (c === NOT_PLAIN) return NOT_PLAIN;
      out.push(c);
    }
    return Object.freeze(out);
  }
  if (!isPlainObject(v)) return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    const c = frozenCopy((v as Record<string, unknown>)[key]);
    if (c === NOT_PLAIN) return NOT_PLAIN;
    out[key] = c;
  }
  return Object.freeze(out);
}

/** `{"id":"` */
const HEAD = Buffer.from('{"id":"', 'latin1');

export class DecisionEncoder {
  readonly #roots = new WeakMap<Reason, ChainNode>();
  #cached = 0;
  /** per-row reasons by text: their frozen canonical copies */
  readonly #interned = new Map<string, Reason[]>();
  #internedCount = 0;

  /**
   * Writes `d` as one JSON line (with its line feed) into `out` at `offset` and returns the new
   * offset, or -1 when `out` has no room for it (the bytes from `offset` on are then scratch).
   */
  encode(d: Decision, out: Buffer, offset: number): number {
    const tail = this.#tail(d);
    const id = d.id;
    if (tail !== undefined) {
      const end = offset + HEAD.length + id.length + tail.length;
      if (end > out.length) return -1;
      // the id byte by byte (cheaper than a native write call for a short string), if it is plain
      // ASCII that JSON does not escape; otherwise the reference serialiser below
      let at = offset + HEAD.length;
      let k = 0;
      for (; k < id.length; k++) {
        const c = id.charCodeAt(k);
        if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) break;
        out[at++] = c;
      }
      if (k === id.length) {
        out.set(HEAD, offset);
        out.set(tail, at);
        return end;
      }
    }
    const s = `${decisionToJsonLine(d)}\n`;
    if (offset + s.length * 3 > out.length && offset + Buffer.byteLength(s) > out.length) return -1;
    return offset + (out as unknown as RawWrite).utf8Write(s, offset);
  }

  /**
   * The reason the cache knows `r` by: `r` itself when frozen (shared by the compiled regime), else
   * the frozen copy of an earlier reason with the same JSON (missing documents, approvals, solid
   * information: built per row, alike across rows). Undefined when `r` holds anything but plain
   * data, or the table is full: the decision is then serialised without the cache.
   */
  #canonical(r: Reason): Reason | undefined {
    if (Object.isFrozen(r)) return r;
    const known = this.#interned.get(r.text);
    if (known !== undefined)
      for (let k = 0; k < known.length; k++) if (sameReason(known[k]!, r)) return known[k];
    if (this.#internedCount >= MAX_INTERNED) return undefined;
    const details = r.details === undefined ? undefined : frozenCopy(r.details);
    if (details === NOT_PLAIN) return undefined;
    const copy: Reason = Object.freeze({
      kind: r.kind,
      outcome: r.outcome,
      measure: r.measure,
      citation: r.citation,
      text: r.text,
      unconfirmed: r.unconfirmed,
      details: details as Reason['details'],
    });
    if (known === undefined) this.#interned.set(r.text, [copy]);
    else known.push(copy);
    this.#internedCount++;
    return copy;
  }

  /** The cached bytes after the id's opening quote and the id itself, when `d` can use the cache. */
  #tail(d: Decision): Buffer | undefined {
    const reasons = d.reasons;
    if (reasons.length === 0) return undefined;
    let node: ChainNode | undefined;
    for (let k = 0; k < reasons.length; k++) {
      const r = this.#canonical(reasons[k]!);
      if (r === undefined) return undefined;
      if (k === 0) {
        node = this.#roots.get(r);
        if (node === undefined) {
          node = { variants: [], next: undefined };
          this.#roots.set(r, node);
        }
      } else {
        node!.next ??= new WeakMap();
        let child = node!.next.get(r);
        if (child === undefined) {
          child = { variants: [], next: undefined };
          node!.next.set(r, child);
        }
        node = child;
      }
    }
    const variants = node!.variants;
    let variant: Variant | undefined;
    for (let k = 0; k < variants.length; k++) {
      const v = variants[k]!;
      if (
        v.decision === d.decision &&
        v.exception === d.exception &&
        v.jurisdiction === d.jurisdiction &&
        v.regimeVersion === d.regimeVersion &&
        sameStrings(v.conditions, d.conditions) &&
        sameStrings(v.missingDocuments, d.missingDocuments) &&
        sameStrings(v.missingApprovals, d.missingApprovals) &&
        sameLists(v.lists, d.lists)
      ) {
        variant = v;
        break;
      }
    }
    if (variant === undefined) {
      if (variants.length >= MAX_VARIANTS || this.#cached >= CACHE_BYTES) return undefined;
      variant = {
        decision: d.decision,
        exception: d.exception,
        conditions: [...d.conditions],
        missingDocuments: [...d.missingDocuments],
        missingApprovals: [...d.missingApprovals],
        lists: d.lists.map((l) => ({ id: l.id, hash: l.hash, published: l.published })),
        jurisdiction: d.jurisdiction,
        regimeVersion: d.regimeVersion,
        tails: new Map(),
        lastAsOf: '',
        lastTail: undefined,
      };
      variants.push(variant);
    }
    if (variant.lastAsOf === d.asOf) return variant.lastTail;
    let tail = variant.tails.get(d.asOf);
    if (tail === undefined) {
      if (this.#cached >= CACHE_BYTES) return undefined;
      // the reference line of this decision with an empty id: everything after `{"id":"`
      const line = `${decisionToJsonLine({ ...d, id: '' })}\n`;
      if (!line.startsWith('{"id":""')) return undefined;
      tail = Buffer.from(line.slice(HEAD.length), 'utf8');
      variant.tails.set(d.asOf, tail);
      this.#cached += tail.length + d.asOf.length + 64;
    }
    variant.lastAsOf = d.asOf;
    variant.lastTail = tail;
    return tail;
  }
}
