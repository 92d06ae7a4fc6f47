/**
 * Decisions as JSON-line bytes, written straight into an output buffer: byte for byte
 * `decisionToJsonLine(d) + '\n'` (src/core/screening/screen.ts, the reference the tests compare
 * against), without building a string per row.
 *
 * Most decisions of a file share everything but their id: their reasons are the frozen objects the
 * compiled regime hands out, and their as-of date, jurisdiction and regime version repeat. So the
 * bytes after the id are cached, keyed on the identity of the (frozen) reasons, then on the other
 * fields by value, then on the as-of date. A row then costs its id (written as Latin-1 when it is
 * plain ASCII, which UTF-8 writes identically) and one copy of the cached tail. Decisions with
 * reasons built per row (missing documents, caps, parties) take the reference serialiser.
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

/** `{"id":"` */
const HEAD = Buffer.from('{"id":"', 'latin1');

export class DecisionEncoder {
  readonly #roots = new WeakMap<Reason, ChainNode>();
  #cached = 0;

  /**
   * Writes `d` as one JSON line (with its line feed) into `out` at `offset` and returns the new
   * offset, or -1 when `out` has no room for it (nothing is written then).
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

  /** The cached bytes after the id's opening quote and the id itself, when `d` can use the cache. */
  #tail(d: Decision): Buffer | undefined {
    const reasons = d.reasons;
    if (reasons.length === 0) return undefined;
    let node: ChainNode | undefined;
    for (let k = 0; k < reasons.length; k++) {
      const r = reasons[k]!;
      if (!Object.isFrozen(r)) return undefined;
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
