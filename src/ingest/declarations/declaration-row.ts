/**
 * One input row (a CSV record or a JSON object) → a Declaration, with field-level errors. Errors
 * are values: a bad row yields its errors (line, field, reason, code, raw) and no declaration; the
 * caller keeps reading. docs/formats.md ("Declarations") documents every field.
 */

import { COUNTRY_CODES } from '../../core/country-codes.js';
import type { ErrorCode } from '../../core/errors.js';
import {
  APPROVAL_TYPES,
  type Declaration,
  DIRECTIONS,
  type Direction,
  DOCUMENT_TYPES,
  FLAGS,
  PRODUCTS,
  PURPOSES,
  type Reference,
} from '../../core/screening/declaration.js';

/** The declaration fields, by their public (snake_case) names, in the documented order. */
export const DECLARATION_FIELDS = [
  'id',
  'date',
  'direction',
  'hs_code',
  'description',
  'origin',
  'from',
  'to',
  'port_of_loading',
  'port_of_discharge',
  'consignor',
  'consignee',
  'quantity',
  'unit',
  'value',
  'currency',
  'purpose',
  'documents',
  'approvals',
  'flags',
  'vessel_imo',
  'vessel_name',
  'checkpoint',
  'contract_date',
  'product',
  'arrival_date',
  'shipment_date',
] as const;
export type DeclarationField = (typeof DECLARATION_FIELDS)[number];
export const REQUIRED_FIELDS: readonly DeclarationField[] = ['id', 'date', 'direction', 'hs_code'];

const F = Object.fromEntries(DECLARATION_FIELDS.map((name, i) => [name, i])) as Record<
  DeclarationField,
  number
>;

export interface RowError {
  line: number;
  /** the field at fault; null when the whole record is (CSV or JSON syntax) */
  field: string | null;
  reason: string;
  code: ErrorCode;
  /** the row as read, cut at 500 characters */
  raw: string;
}

/** Normalises a header name: `HS Code`, `hs-code` → `hs_code`. */
export function normaliseHeader(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isDigit = (c: number) => c >= 48 && c <= 57;

const d2 = (s: string, k: number) => (s.charCodeAt(k) - 48) * 10 + (s.charCodeAt(k + 1) - 48);

/** True for a real calendar date `YYYY-MM-DD` (2016-02-29 yes, 2016-02-30 no). */
export function isIsoDate(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  if (
    !isDigit(s.charCodeAt(0)) ||
    !isDigit(s.charCodeAt(1)) ||
    !isDigit(s.charCodeAt(2)) ||
    !isDigit(s.charCodeAt(3)) ||
    !isDigit(s.charCodeAt(5)) ||
    !isDigit(s.charCodeAt(6)) ||
    !isDigit(s.charCodeAt(8)) ||
    !isDigit(s.charCodeAt(9))
  )
    return false;
  const year = d2(s, 0) * 100 + d2(s, 2);
  const month = d2(s, 5);
  const day = d2(s, 8);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const max = month === 2 && leap ? 29 : (DAYS[month - 1] ?? 0);
  return day <= max;
}

/**
 * A plain decimal number (`12`, `-0.5`, `1e3`, `.5`); rejects hex, `Infinity`, thousands
 * separators and inner spaces, which `Number()` would accept or misread.
 */
export function parseDecimal(v: string): number | undefined {
  let k = 0;
  const n = v.length;
  let c = v.charCodeAt(0);
  if (c === 43 || c === 45) k++;
  let digits = 0;
  while (k < n && isDigit(v.charCodeAt(k))) {
    k++;
    digits++;
  }
  if (k < n && v.charCodeAt(k) === 46) {
    k++;
    while (k < n && isDigit(v.charCodeAt(k))) {
      k++;
      digits++;
    }
  }
  if (digits === 0) return undefined;
  // plain digits (the common cell): their value, exact below 2^53, without Number()'s string scan
  if (k === n && digits === n && n <= 15) {
    let x = 0;
    for (let j = 0; j < n; j++) x = x * 10 + (v.charCodeAt(j) - 48);
    return x;
  }
  if (k < n) {
    c = v.charCodeAt(k);
    if (c !== 101 && c !== 69) return undefined;
    k++;
    c = v.charCodeAt(k);
    if (c === 43 || c === 45) k++;
    let exp = 0;
    while (k < n && isDigit(v.charCodeAt(k))) {
      k++;
      exp++;
    }
    if (exp === 0 || k < n) return undefined;
  }
  return Number(v);
}

/** `2701.11`, `2701 11 00` → `27011100`; undefined when not 2–10 digits. */
export function normaliseHs(raw: string): string | undefined {
  let digits = true;
  for (let k = 0; k < raw.length; k++) if (!isDigit(raw.charCodeAt(k))) digits = false;
  const s = digits ? raw : raw.replace(/[.\s]/g, '');
  if (s.length < 2 || s.length > 10) return undefined;
  if (!digits) for (let k = 0; k < s.length; k++) if (!isDigit(s.charCodeAt(k))) return undefined;
  return s;
}

/** COUNTRY_CODES as a 26 × 26 table of upper-case letter pairs: no string hashing per cell. */
const ALPHA2 = new Uint8Array(26 * 26);
for (const code of COUNTRY_CODES) ALPHA2[(code.charCodeAt(0) - 65) * 26 + code.charCodeAt(1) - 65] = 1;

/** True for an assigned alpha-2 code in upper case (the common spelling; the Set answers the rest). */
function isAssignedAlpha2(v: string): boolean {
  if (v.length !== 2) return false;
  const a = v.charCodeAt(0) - 65;
  const b = v.charCodeAt(1) - 65;
  return a >= 0 && a < 26 && b >= 0 && b < 26 && ALPHA2[a * 26 + b] === 1;
}

/**
 * `v.toLowerCase()`, without the call (and its copy) when `v` has no upper-case ASCII letter and no
 * character beyond ASCII: cells are mostly lower case already.
 */
function lower(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  for (let k = 0; k < v.length; k++) {
    const c = v.charCodeAt(k);
    if ((c >= 65 && c <= 90) || c > 127) return v.toLowerCase();
  }
  return v;
}

/** `v.toUpperCase()`, likewise without the call when nothing would change. */
function upper(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  for (let k = 0; k < v.length; k++) {
    const c = v.charCodeAt(k);
    if ((c >= 97 && c <= 122) || c > 127) return v.toUpperCase();
  }
  return v;
}

/** Three upper-case ASCII letters (the shape of an ISO 4217 code). */
function isCurrencyCode(v: string): boolean {
  if (v.length !== 3) return false;
  for (let k = 0; k < 3; k++) {
    const c = v.charCodeAt(k);
    if (c < 65 || c > 90) return false;
  }
  return true;
}
const purposeSet: ReadonlySet<string> = new Set(PURPOSES);
const productSet: ReadonlySet<string> = new Set(PRODUCTS);
const documentSet: ReadonlySet<string> = new Set(DOCUMENT_TYPES);
const approvalSet: ReadonlySet<string> = new Set(APPROVAL_TYPES);
const flagSet: ReadonlySet<string> = new Set(FLAGS);

const HASH = new Int32Array(2);

/** The 64-bit hash IdSet keeps of an id, written as two 32-bit halves at `out[at]`, `out[at + 1]`. */
export function hashId(id: string, out: Int32Array, at: number): void {
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x01000193 ^ id.length;
  for (let k = 0; k < id.length; k++) {
    const c = id.charCodeAt(k);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
  }
  out[at] = h1;
  out[at + 1] = h2 | 1; // never 0 (an empty slot); signed 32-bit, as the table stores it
}

/**
 * Remembers the ids of a file to find duplicates, at 8 bytes per id: a 64-bit hash of each id in an
 * open-addressing table (two independent 32-bit FNV-1a variants). Two different ids collide with a
 * probability of about n²/2⁶⁵ (1e-5 for 20 million rows), an accepted risk documented in
 * docs/decisions.md (S7); a Set of strings would cost ~60 bytes per id.
 */
export class IdSet {
  // signed: a hash half is then a small integer in V8 wherever it goes (an unsigned one above 2^31
  // became a heap number per argument when the main thread passed it to addHash, and deoptimised
  // code compiled for small integers)
  #table = new Int32Array(1 << 16);
  #size = 0;

  /** Adds an id; returns false when it was already there. */
  add(id: string): boolean {
    hashId(id, HASH, 0);
    return this.addHash(HASH[0]!, HASH[1]!);
  }

  /** Adds an id by its hash (`hashId`); returns false when it was already there. */
  addHash(h1: number, h2: number): boolean {
    if ((this.#size + 1) * 2 > this.#table.length / 2) this.#grow();
    return this.#insert(h1, h2);
  }

  #insert(h1: number, h2: number): boolean {
    const table = this.#table;
    const mask = table.length / 2 - 1;
    let slot = h1 & mask;
    for (;;) {
      const a = table[slot * 2]!;
      const b = table[slot * 2 + 1]!;
      if (b === 0) {
        table[slot * 2] = h1;
        table[slot * 2 + 1] = h2;
        this.#size++;
        return true;
      }
      if (a === h1 && b === h2) return false;
      slot = (slot + 1) & mask;
    }
  }

  /**
   * Makes room for about `expected` ids at once, never for more (the table is a power of two: the
   * largest one that holds no more than `expected`), so that a good estimate saves the rehashing of
   * every smaller table and a bad one costs no more memory than growing would.
   */
  reserve(expected: number): void {
    let length = this.#table.length;
    while ((length * 2) / 4 <= expected && length < 1 << 30) length *= 2;
    if (length > this.#table.length) this.#grow(length);
  }

  #grow(length = this.#table.length * 2) {
    const old = this.#table;
    this.#table = new Int32Array(length);
    this.#size = 0;
    for (let k = 0; k < old.length; k += 2) if (old[k + 1] !== 0) this.#insert(old[k]!, old[k + 1]!);
  }
}

/** A cell's text as validation reads it: trimmed, undefined when empty. */
export function cellText(v: string | undefined): string | undefined {
  if (v === undefined || v.length === 0) return undefined;
  const c0 = v.charCodeAt(0);
  const c1 = v.charCodeAt(v.length - 1);
  const t = c0 <= 32 || c1 <= 32 ? v.trim() : v;
  return t === '' ? undefined : t;
}

/** The reject of a row whose id an earlier row of the file already used. */
export function duplicateIdError(id: string, line: number, raw: readonly string[] | string): RowError {
  return {
    line,
    field: 'id',
    reason: `duplicate id '${id}' (ids are unique within a file)`,
    code: 'EMB_DECLARATION_INVALID',
    raw: (typeof raw === 'string' ? raw : raw.join(',')).slice(0, 500),
  };
}

const IDENTITY: readonly number[] = DECLARATION_FIELDS.map((_, k) => k);

/**
 * Validates rows. `values` holds the row's text per DECLARATION_FIELDS index (undefined or '' =
 * absent); `extra` the columns embargo does not read; `raw` the row as read (CSV fields or JSON
 * text), joined only when the row fails. The hot path allocates no closures (the project runs
 * through tsx, whose keep-names transform makes every closure creation cost a defineProperty).
 */
export class DeclarationRowParser {
  /** null: duplicates are found by the caller (the parallel pipeline keeps one table per file) */
  readonly #ids: IdSet | null;

  constructor(ids: IdSet | null = new IdSet()) {
    this.#ids = ids;
  }

  #values: readonly (string | undefined)[] = [];
  #columns: readonly number[] = IDENTITY;
  #line = 0;
  #raw: readonly string[] | string = '';
  #errors: RowError[] = [];
  #failed = false;

  #fail(field: DeclarationField, reason: string): void {
    const raw = typeof this.#raw === 'string' ? this.#raw : this.#raw.join(',');
    this.#errors.push({
      line: this.#line,
      field,
      reason,
      code: 'EMB_DECLARATION_INVALID',
      raw: raw.slice(0, 500),
    });
    this.#failed = true;
  }

  #text(k: number): string | undefined {
    const c = this.#columns[k]!;
    return c === -1 ? undefined : cellText(this.#values[c]);
  }

  /**
   * Validates one row; pushes its errors and returns null when it has any. `columns`: where each
   * DECLARATION_FIELDS entry is in `values` (-1 when absent); by default `values` is in that order.
   */
  parse(
    values: readonly (string | undefined)[],
    line: number,
    raw: readonly string[] | string,
    errors: RowError[],
    extra?: Record<string, string>,
    columns: readonly number[] = IDENTITY,
  ): Declaration | null {
    this.#values = values;
    this.#columns = columns;
    this.#line = line;
    this.#raw = raw;
    this.#errors = errors;
    this.#failed = false;

    const id = this.#text(F.id);
    if (id === undefined) this.#fail('id', 'missing id');
    const date = this.#text(F.date);
    if (date === undefined) this.#fail('date', 'missing date');
    else if (!isIsoDate(date)) this.#fail('date', `'${date}' is not a real date YYYY-MM-DD`);
    const directionRaw = this.#text(F.direction);
    const directionText =
      directionRaw === 'import' || directionRaw === 'export' ? directionRaw : directionRaw?.toLowerCase();
    if (directionText === undefined) this.#fail('direction', 'missing direction');
    else if (directionText !== 'import' && directionText !== 'export')
      this.#fail('direction', `unknown direction '${directionText}'; expected ${DIRECTIONS.join(' or ')}`);
    const hsText = this.#text(F.hs_code);
    const hsCode = hsText === undefined ? undefined : normaliseHs(hsText);
    if (hsText === undefined) this.#fail('hs_code', 'missing hs_code');
    else if (hsCode === undefined) this.#fail('hs_code', `'${hsText}' is not an HS code of 2–10 digits`);

    const origin = this.#country(F.origin, 'origin');
    const from = this.#country(F.from, 'from');
    const to = this.#country(F.to, 'to');
    const quantity = this.#number(F.quantity, 'quantity');
    const value = this.#number(F.value, 'value');
    const currency = upper(this.#text(F.currency));
    if (currency !== undefined && !isCurrencyCode(currency))
      this.#fail('currency', `'${currency}' is not an ISO 4217 code`);
    const purpose = lower(this.#text(F.purpose));
    if (purpose !== undefined && !purposeSet.has(purpose))
      this.#fail('purpose', `unknown purpose '${purpose}'; expected one of ${PURPOSES.join(', ')}`);
    const contractDate = this.#text(F.contract_date);
    if (contractDate !== undefined && !isIsoDate(contractDate))
      this.#fail('contract_date', `'${contractDate}' is not a real date YYYY-MM-DD`);
    const arrivalDate = this.#text(F.arrival_date);
    if (arrivalDate !== undefined && !isIsoDate(arrivalDate))
      this.#fail('arrival_date', `'${arrivalDate}' is not a real date YYYY-MM-DD`);
    const shipmentDate = this.#text(F.shipment_date);
    if (shipmentDate !== undefined && !isIsoDate(shipmentDate))
      this.#fail('shipment_date', `'${shipmentDate}' is not a real date YYYY-MM-DD`);
    const product = lower(this.#text(F.product));
    if (product !== undefined && !productSet.has(product))
      this.#fail('product', `unknown product '${product}'; expected one of ${PRODUCTS.join(', ')}`);
    const documents = this.#references(F.documents, 'documents', documentSet);
    const approvals = this.#references(F.approvals, 'approvals', approvalSet);
    const flagsText = this.#text(F.flags);
    const flags: string[] = flagsText === undefined ? [] : this.#flags(flagsText);
    if (this.#failed) return null;
    if (this.#ids && !this.#ids.add(id!)) {
      this.#errors.push(duplicateIdError(id!, line, raw));
      this.#failed = true;
      return null;
    }

    // one object shape for every row (absent fields are undefined, in a fixed order), so the
    // screening code that reads them stays monomorphic
    const unit = this.#text(F.unit);
    const d: Declaration = {
      id: id!,
      date: date!,
      direction: directionText as Direction,
      hsCode: hsCode!,
      description: this.#text(F.description),
      origin,
      from,
      to,
      portOfLoading: this.#text(F.port_of_loading),
      portOfDischarge: this.#text(F.port_of_discharge),
      consignor: this.#text(F.consignor),
      consignee: this.#text(F.consignee),
      quantity,
      unit: lower(unit),
      value,
      currency,
      purpose,
      documents,
      approvals,
      flags,
      vesselImo: this.#text(F.vessel_imo),
      vesselName: this.#text(F.vessel_name),
      checkpoint: this.#text(F.checkpoint),
      contractDate,
      product,
      arrivalDate,
      shipmentDate,
      extra,
    };
    return d;
  }

  // The checks of one cell are split in a small hot part (the common, valid cell) and a cold part
  // (other spellings, errors and their messages), so that the hot parts stay small enough for V8
  // to inline into parse().

  #flags(text: string): string[] {
    const flags: string[] = [];
    for (const part of text.split(';')) {
      const flag = part.trim().toLowerCase();
      if (flag === '') continue;
      if (!flagSet.has(flag)) this.#fail('flags', `unknown flag '${flag}'; expected ${FLAGS.join(', ')}`);
      else flags.push(flag);
    }
    return flags;
  }

  #country(k: number, field: DeclarationField): string | undefined {
    const v = this.#text(k);
    if (v === undefined || isAssignedAlpha2(v)) return v;
    return this.#otherCountry(v, field);
  }

  #otherCountry(v: string, field: DeclarationField): string | undefined {
    if (COUNTRY_CODES.has(v)) return v;
    const code = v.toUpperCase();
    if (COUNTRY_CODES.has(code)) return code;
    this.#fail(field, `'${v}' is not an ISO 3166-1 alpha-2 country code`);
    return undefined;
  }

  #number(k: number, field: DeclarationField): number | undefined {
    const v = this.#text(k);
    if (v === undefined) return undefined;
    const n = parseDecimal(v);
    // NaN never comes out of parseDecimal; -0 passes, as Number.isFinite(n) && n >= 0 lets it
    if (n !== undefined && n >= 0 && n < Number.POSITIVE_INFINITY) return n;
    return this.#badNumber(v, n, field);
  }

  /** The error of a cell that is not a number, or not a finite one ≥ 0 (`n`: what parseDecimal read). */
  #badNumber(v: string, n: number | undefined, field: DeclarationField): undefined {
    if (n === undefined) this.#fail(field, `'${v}' is not a number`);
    else this.#fail(field, `'${v}' must be a finite number ≥ 0`);
    return undefined;
  }

  #references(k: number, field: DeclarationField, known: ReadonlySet<string>): Reference[] {
    const v = this.#text(k);
    return v === undefined ? [] : this.#referencesOf(v, field, known);
  }

  #referencesOf(v: string, field: DeclarationField, known: ReadonlySet<string>): Reference[] {
    const out: Reference[] = [];
    for (const part of v.split(';')) {
      const item = part.trim();
      if (item === '') continue;
      const colon = item.indexOf(':');
      const type = lower((colon === -1 ? item : item.slice(0, colon)).trim()) ?? '';
      const reference = colon === -1 ? '' : item.slice(colon + 1).trim();
      if (!known.has(type)) {
        this.#fail(
          field,
          `unknown ${field === 'documents' ? 'document' : 'approval'} type '${type}'; expected one of ${[...known].join(', ')}`,
        );
        continue;
      }
      out.push({ type, reference });
    }
    return out;
  }
}
