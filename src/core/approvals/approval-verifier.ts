/**
 * Checks a declaration's `approvals` entries against the stored chains. An approval counts only
 * when its chain exists, reached its final state (record-filed / committee-approved) on or before
 * the declaration's date, was not rejected, covers the declaration's direction, applicant and
 * goods, and still has enough quantity once what other declarations already used is deducted.
 * Anything else: the approval is treated as missing, with the reason written out.
 */
import type { Declaration, Reference } from '../screening/declaration.js';
import {
  type ApprovalChain,
  CHAINS,
  chainForApprovalType,
  convertQuantity,
  isFinal,
  REJECTED,
} from './approval-chain.js';

export interface ApprovalVerdict {
  reference: Reference;
  accepted: boolean;
  /** why the approval was not accepted (absent when accepted) */
  reason?: string;
  /** the declaration's quantity in the chain's unit, when accepted */
  quantity?: number;
  unit?: string;
}

/** Lower case, letters and digits only: "Dandong Coal Co., Ltd." = "DANDONG COAL CO LTD". */
export function normaliseParty(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * @param chain the stored chain for `reference`, if any
 * @param usedElsewhere quantity (in the chain's unit) other declarations already drew on it
 * @example verifyApproval(decl, { type: 'un-record-filing', reference: 'RF-1' }, undefined, 0)
 *   // → { accepted: false, reason: 'no un-record-filing RF-1 is on record' }
 */
export function verifyApproval(
  declaration: Declaration,
  reference: Reference,
  chain: ApprovalChain | undefined,
  usedElsewhere: number,
): ApprovalVerdict {
  const refused = (reason: string): ApprovalVerdict => ({ reference, accepted: false, reason });
  const label = `${reference.type} ${reference.reference || '(no reference)'}`;
  if (!chainForApprovalType(reference.type))
    return refused(`${reference.type} is not an approval type embargo tracks`);
  if (!chain) return refused(`no ${label} is on record`);
  const def = CHAINS[chain.chain];
  if (chain.state === REJECTED) {
    const last = chain.steps[chain.steps.length - 1];
    return refused(`${label} was rejected${last ? ` by ${last.actor} on ${last.date}` : ''}`);
  }
  if (!isFinal(chain)) return refused(`${label} is unfinished: it stands at ${chain.state}`);
  const final = chain.steps[chain.steps.length - 1];
  if (final && final.date > declaration.date) {
    return refused(
      `${label} was only completed on ${final.date}, after the declaration's date ${declaration.date}`,
    );
  }
  if (declaration.direction !== def.direction) {
    return refused(`${label} covers ${def.direction}s, the declaration is an ${declaration.direction}`);
  }
  const party = def.applicantParty === 'consignee' ? declaration.consignee : declaration.consignor;
  if (!party || normaliseParty(party) !== normaliseParty(chain.applicant)) {
    return refused(
      `${label} was granted to ${chain.applicant}, but the ${def.applicantParty} is ${party ?? 'not stated'}`,
    );
  }
  if (!declaration.hsCode.startsWith(chain.hsCode)) {
    return refused(`${label} covers HS ${chain.hsCode}, not ${declaration.hsCode}`);
  }
  if (declaration.quantity === undefined || !declaration.unit) {
    return refused(
      `${label} is limited to ${chain.quantity} ${chain.unit}; the declaration states no quantity and unit`,
    );
  }
  const quantity = convertQuantity(declaration.quantity, declaration.unit, chain.unit);
  if (quantity === undefined) {
    return refused(`${label} is stated in ${chain.unit}; ${declaration.unit} cannot be compared with it`);
  }
  const left = chain.quantity - usedElsewhere;
  // A relative tolerance keeps unit conversion rounding from refusing an exact fit.
  if (quantity > left * (1 + 1e-9)) {
    return refused(
      `${label} allows ${chain.quantity} ${chain.unit}, ${usedElsewhere} already used; ` +
        `${round(quantity)} ${chain.unit} declared exceeds the ${round(Math.max(left, 0))} ${chain.unit} left`,
    );
  }
  return { reference, accepted: true, quantity, unit: chain.unit };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
