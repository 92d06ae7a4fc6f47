/**
 * The canonical JSON of a declaration, exactly `canonicalJson(declaration)` (src/core/audit), made
 * by the engine's native JSON.stringify over an object literal whose keys are the Declaration
 * type's fields in sorted order: several times cheaper than discovering and sorting keys at every
 * level, on every declaration screened into the store. Anything the literal would not reproduce
 * (a key outside the type, `extra` columns, a reference with other keys, an object where the type
 * has a scalar) takes the generic path; a property test checks both give the same text.
 */
import { canonicalJson } from '../core/audit/audit-chain.js';
import type { Declaration, Reference } from '../core/screening/declaration.js';

const isObject = (value: unknown) => value !== null && typeof value === 'object';
/** what JSON.stringify and canonicalJson write alike as a member: a string, number, boolean or null */
const notScalar = (value: unknown) =>
  value !== undefined &&
  value !== null &&
  typeof value !== 'string' &&
  typeof value !== 'number' &&
  typeof value !== 'boolean';

/** `{reference, type}` copies in sorted key order, or undefined when a reference has anything else. */
function sortedReferences(refs: readonly Reference[]): Reference[] | undefined {
  const out: Reference[] = new Array(refs.length);
  for (let i = 0; i < refs.length; i++) {
    const r = refs[i];
    if (!isObject(r) || Object.keys(r as object).length !== 2) return undefined;
    const { reference, type } = r as Reference;
    if (typeof reference !== 'string' || typeof type !== 'string') return undefined;
    out[i] = { reference, type };
  }
  return out;
}

function plainArray(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (isObject(item)) return false;
  return true;
}

export function declarationJson(d: Declaration): string {
  // every own key must be one of the fields below (the reader sets them all, many undefined), each
  // holding what the literal reproduces; `extra` columns take the generic path
  let defined = 0;
  if ('approvals' in d) defined++;
  if ('arrivalDate' in d) defined++;
  if ('checkpoint' in d) defined++;
  if ('consignee' in d) defined++;
  if ('consignor' in d) defined++;
  if ('contractDate' in d) defined++;
  if ('currency' in d) defined++;
  if ('date' in d) defined++;
  if ('description' in d) defined++;
  if ('direction' in d) defined++;
  if ('documents' in d) defined++;
  if ('flags' in d) defined++;
  if ('from' in d) defined++;
  if ('hsCode' in d) defined++;
  if ('id' in d) defined++;
  if ('origin' in d) defined++;
  if ('portOfDischarge' in d) defined++;
  if ('portOfLoading' in d) defined++;
  if ('product' in d) defined++;
  if ('purpose' in d) defined++;
  if ('quantity' in d) defined++;
  if ('shipmentDate' in d) defined++;
  if ('to' in d) defined++;
  if ('unit' in d) defined++;
  if ('value' in d) defined++;
  if ('vesselImo' in d) defined++;
  if ('vesselName' in d) defined++;
  if ('extra' in d) defined++;
  if (Object.keys(d).length !== defined || d.extra !== undefined) return canonicalJson(d);
  if (
    notScalar(d.arrivalDate) ||
    notScalar(d.checkpoint) ||
    notScalar(d.consignee) ||
    notScalar(d.consignor) ||
    notScalar(d.contractDate) ||
    notScalar(d.currency) ||
    notScalar(d.date) ||
    notScalar(d.description) ||
    notScalar(d.direction) ||
    notScalar(d.from) ||
    notScalar(d.hsCode) ||
    notScalar(d.id) ||
    notScalar(d.origin) ||
    notScalar(d.portOfDischarge) ||
    notScalar(d.portOfLoading) ||
    notScalar(d.product) ||
    notScalar(d.purpose) ||
    notScalar(d.quantity) ||
    notScalar(d.shipmentDate) ||
    notScalar(d.to) ||
    notScalar(d.unit) ||
    notScalar(d.value) ||
    notScalar(d.vesselImo) ||
    notScalar(d.vesselName)
  )
    return canonicalJson(d);
  if (!Array.isArray(d.documents) || !Array.isArray(d.approvals) || !plainArray(d.flags))
    return canonicalJson(d);
  const documents = sortedReferences(d.documents);
  const approvals = sortedReferences(d.approvals);
  if (!documents || !approvals) return canonicalJson(d);
  return JSON.stringify({
    approvals,
    arrivalDate: d.arrivalDate,
    checkpoint: d.checkpoint,
    consignee: d.consignee,
    consignor: d.consignor,
    contractDate: d.contractDate,
    currency: d.currency,
    date: d.date,
    description: d.description,
    direction: d.direction,
    documents,
    flags: d.flags,
    from: d.from,
    hsCode: d.hsCode,
    id: d.id,
    origin: d.origin,
    portOfDischarge: d.portOfDischarge,
    portOfLoading: d.portOfLoading,
    product: d.product,
    purpose: d.purpose,
    quantity: d.quantity,
    shipmentDate: d.shipmentDate,
    to: d.to,
    unit: d.unit,
    value: d.value,
    vesselImo: d.vesselImo,
    vesselName: d.vesselName,
  });
}
