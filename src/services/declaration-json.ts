/**
 * The canonical JSON of a declaration, exactly `canonicalJson(declaration)` (src/core/audit),
 * written member by member in the Declaration type's sorted key order: no key discovery or sorting
 * at every level, no object built for JSON.stringify, and a string member that needs no escaping
 * (most of them) is put between quotes as it is. It runs on every declaration screened into the
 * store (docs/decisions.md ST16). A declaration with a key outside the type takes the generic path;
 * any member value the fast path does not expect (an object where the type has a scalar, a
 * reference with other keys) is written by canonicalJson itself; a property test checks both give
 * the same text.
 */
import { canonicalJson } from '../core/audit/audit-chain.js';
import type { Declaration } from '../core/screening/declaration.js';

/** what JSON.stringify escapes in a string: `"`, `\`, control characters and lone surrogates */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify of a string, without the call where nothing needs escaping */
export function quoteJson(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** canonicalJson of a member value (not undefined) */
const member = (value: unknown): string =>
  typeof value === 'string' ? quoteJson(value) : canonicalJson(value);

/** the keys of a `{reference, type}` object, counted without building an array */
function ownKeys(value: object): number {
  let n = 0;
  for (const key in value) if (Object.hasOwn(value, key)) n++;
  return n;
}

/** canonicalJson of `documents` or `approvals`: `{reference, type}` objects written directly */
function referencesJson(value: unknown): string {
  if (!Array.isArray(value)) return canonicalJson(value);
  if (value.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < value.length; i++) {
    const r: unknown = value[i];
    let text: string;
    if (
      typeof r === 'object' &&
      r !== null &&
      typeof (r as { reference?: unknown }).reference === 'string' &&
      typeof (r as { type?: unknown }).type === 'string' &&
      Object.getPrototypeOf(r) === Object.prototype &&
      ownKeys(r) === 2
    ) {
      const { reference, type } = r as { reference: string; type: string };
      text = `{"reference":${quoteJson(reference)},"type":${quoteJson(type)}}`;
    } else text = canonicalJson(r);
    out += i ? `,${text}` : text;
  }
  return `${out}]`;
}

export function declarationJson(d: Declaration): string {
  // every own key must be one of the fields below (the reader sets them all, many undefined)
  let known = 0;
  if ('approvals' in d) known++;
  if ('arrivalDate' in d) known++;
  if ('checkpoint' in d) known++;
  if ('consignee' in d) known++;
  if ('consignor' in d) known++;
  if ('contractDate' in d) known++;
  if ('currency' in d) known++;
  if ('date' in d) known++;
  if ('description' in d) known++;
  if ('direction' in d) known++;
  if ('documents' in d) known++;
  if ('extra' in d) known++;
  if ('flags' in d) known++;
  if ('from' in d) known++;
  if ('hsCode' in d) known++;
  if ('id' in d) known++;
  if ('origin' in d) known++;
  if ('portOfDischarge' in d) known++;
  if ('portOfLoading' in d) known++;
  if ('product' in d) known++;
  if ('purpose' in d) known++;
  if ('quantity' in d) known++;
  if ('shipmentDate' in d) known++;
  if ('to' in d) known++;
  if ('unit' in d) known++;
  if ('value' in d) known++;
  if ('vesselImo' in d) known++;
  if ('vesselName' in d) known++;
  if (
    d.approvals === undefined ||
    Object.getPrototypeOf(d) !== Object.prototype ||
    Object.keys(d).length !== known
  )
    return canonicalJson(d);
  // members in sorted key order, `approvals` first; canonicalJson leaves out undefined ones, as this does
  let out = `{"approvals":${referencesJson(d.approvals)}`;
  if (d.arrivalDate !== undefined) out += `,"arrivalDate":${member(d.arrivalDate)}`;
  if (d.checkpoint !== undefined) out += `,"checkpoint":${member(d.checkpoint)}`;
  if (d.consignee !== undefined) out += `,"consignee":${member(d.consignee)}`;
  if (d.consignor !== undefined) out += `,"consignor":${member(d.consignor)}`;
  if (d.contractDate !== undefined) out += `,"contractDate":${member(d.contractDate)}`;
  if (d.currency !== undefined) out += `,"currency":${member(d.currency)}`;
  if (d.date !== undefined) out += `,"date":${member(d.date)}`;
  if (d.description !== undefined) out += `,"description":${member(d.description)}`;
  if (d.direction !== undefined) out += `,"direction":${member(d.direction)}`;
  if (d.documents !== undefined) out += `,"documents":${referencesJson(d.documents)}`;
  if (d.extra !== undefined) out += `,"extra":${canonicalJson(d.extra)}`;
  if (d.flags !== undefined)
    out += `,"flags":${Array.isArray(d.flags) && d.flags.length === 0 ? '[]' : canonicalJson(d.flags)}`;
  if (d.from !== undefined) out += `,"from":${member(d.from)}`;
  if (d.hsCode !== undefined) out += `,"hsCode":${member(d.hsCode)}`;
  if (d.id !== undefined) out += `,"id":${member(d.id)}`;
  if (d.origin !== undefined) out += `,"origin":${member(d.origin)}`;
  if (d.portOfDischarge !== undefined) out += `,"portOfDischarge":${member(d.portOfDischarge)}`;
  if (d.portOfLoading !== undefined) out += `,"portOfLoading":${member(d.portOfLoading)}`;
  if (d.product !== undefined) out += `,"product":${member(d.product)}`;
  if (d.purpose !== undefined) out += `,"purpose":${member(d.purpose)}`;
  if (d.quantity !== undefined) out += `,"quantity":${member(d.quantity)}`;
  if (d.shipmentDate !== undefined) out += `,"shipmentDate":${member(d.shipmentDate)}`;
  if (d.to !== undefined) out += `,"to":${member(d.to)}`;
  if (d.unit !== undefined) out += `,"unit":${member(d.unit)}`;
  if (d.value !== undefined) out += `,"value":${member(d.value)}`;
  if (d.vesselImo !== undefined) out += `,"vesselImo":${member(d.vesselImo)}`;
  if (d.vesselName !== undefined) out += `,"vesselName":${member(d.vesselName)}`;
  return `${out}}`;
}
