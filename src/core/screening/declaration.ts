/**
 * A customs declaration as embargo reads it: the public contract of the input formats
 * (docs/formats.md). Parsers in src/ingest turn CSV / JSON / JSON-lines rows into this shape.
 */
export const DIRECTIONS = ['import', 'export'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const PURPOSES = [
  'livelihood',
  'humanitarian',
  'civil-aircraft-refuelling',
  'civil-aircraft-spare-parts',
] as const;
export type Purpose = (typeof PURPOSES)[number];

/** Documents presented at declaration time (`type:reference`). Keep these names: they are public. */
export const DOCUMENT_TYPES = [
  'commitment-letter-livelihood',
  'commitment-letter-transit',
  'certificate-of-origin',
  'exporting-state-notification',
  'contract',
] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** Approvals obtained before the trade (`type:reference`). Keep these names: they are public. */
export const APPROVAL_TYPES = ['un-record-filing', 'un-committee-approval'] as const;
export type ApprovalType = (typeof APPROVAL_TYPES)[number];

export const FLAGS = ['solid-information'] as const;

/**
 * What the goods are where one tariff line holds goods a measure treats differently (China's
 * 2709000000 holds crude oil, capped, and condensate, banned). Declared, never read from the
 * free-text description.
 */
export const PRODUCTS = ['crude-oil', 'condensate'] as const;
export type Product = (typeof PRODUCTS)[number];

/**
 * Units that count items (lower case, as declarations are read): a per-item value test (the
 * luxury-goods thresholds of 2270 and 2321) divides the declared value by a quantity in one of them.
 */
export const ITEM_UNITS = [
  'u',
  'pc',
  'pcs',
  'piece',
  'pieces',
  'item',
  'items',
  'unit',
  'units',
  'ea',
  'each',
] as const;

export interface Reference {
  /** e.g. `commitment-letter-livelihood` */
  type: string;
  /** e.g. `CL-17` (may be empty when only the type was given) */
  reference: string;
}

export interface Declaration {
  id: string;
  /** ISO date `YYYY-MM-DD` */
  date: string;
  direction: Direction;
  /** digits only, 2–10 of them */
  hsCode: string;
  description?: string;
  /** ISO 3166-1 alpha-2, upper case */
  origin?: string;
  from?: string;
  to?: string;
  portOfLoading?: string;
  portOfDischarge?: string;
  consignor?: string;
  consignee?: string;
  quantity?: number;
  unit?: string;
  value?: number;
  currency?: string;
  purpose?: string;
  documents: Reference[];
  approvals: Reference[];
  flags: string[];
  vesselImo?: string;
  vesselName?: string;
  checkpoint?: string;
  /** ISO date the underlying written contract was signed (grace rules). */
  contractDate?: string;
  /** one of PRODUCTS, where the tariff line alone cannot tell the goods apart */
  product?: string;
  /** ISO date the goods arrived at the port of entry (import rules for goods "already at port") */
  arrivalDate?: string;
  /** ISO date the goods were shipped (bill of lading), for rules on goods "already shipped" */
  shipmentDate?: string;
  /** Columns the input carried that embargo does not read; kept, never interpreted. */
  extra?: Record<string, string>;
}

/** Facts a measure's exception conditions may test, by their public (snake_case) field name. */
export const CONDITION_FACTS = [
  'purpose',
  'origin',
  'from',
  'to',
  'port_of_loading',
  'port_of_discharge',
  'checkpoint',
  'contract_date',
  'unit',
  'currency',
  'product',
  'arrival_date',
  'shipment_date',
] as const;
export type ConditionFact = (typeof CONDITION_FACTS)[number];

export function factOf(declaration: Declaration, fact: ConditionFact): string | undefined {
  switch (fact) {
    case 'purpose':
      return declaration.purpose;
    case 'origin':
      return declaration.origin;
    case 'from':
      return declaration.from;
    case 'to':
      return declaration.to;
    case 'port_of_loading':
      return declaration.portOfLoading;
    case 'port_of_discharge':
      return declaration.portOfDischarge;
    case 'checkpoint':
      return declaration.checkpoint;
    case 'contract_date':
      return declaration.contractDate;
    case 'unit':
      return declaration.unit;
    case 'currency':
      return declaration.currency;
    case 'product':
      return declaration.product;
    case 'arrival_date':
      return declaration.arrivalDate;
    case 'shipment_date':
      return declaration.shipmentDate;
  }
}
