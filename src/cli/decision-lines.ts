/**
 * Decisions as table lines and CSV lines, as `embargo screen` writes them (the JSON-lines bytes are
 * src/cli/decision-encoder.ts). A module of its own so the screening workers use the same lines
 * without loading the command.
 */
import type { Decision } from '../core/screening/decision.js';
import { csvEscape } from './output.js';

export const TABLE_HEAD = `${'id'.padEnd(14)}  ${'decision'.padEnd(8)}  ${'measure'.padEnd(22)}  reason\n${'-'.repeat(14)}  ${'-'.repeat(8)}  ${'-'.repeat(22)}  ${'-'.repeat(40)}\n`;

/** One declaration as table lines: the decision on the first, one reason per line. */
export function decisionTableLines(d: Decision): string {
  const id = d.id.length > 14 ? `${d.id.slice(0, 13)}…` : d.id;
  let out = '';
  d.reasons.forEach((r, i) => {
    const lead = i === 0 ? `${id.padEnd(14)}  ${d.decision.padEnd(8)}` : `${''.padEnd(14)}  ${''.padEnd(8)}`;
    const cite = r.citation ? ` [${r.citation}]` : '';
    out += `${lead}  ${(r.measure || '-').padEnd(22)}  ${r.text}${cite}\n`;
  });
  const extras: string[] = [];
  if (d.missingDocuments.length) extras.push(`missing documents: ${d.missingDocuments.join(', ')}`);
  if (d.missingApprovals.length) extras.push(`missing approvals: ${d.missingApprovals.join(', ')}`);
  if (d.exception) extras.push(`cleared under ${d.exception}`);
  for (const c of d.conditions) extras.push(`condition: ${c}`);
  for (const e of extras) out += `${''.padEnd(14)}  ${''.padEnd(8)}  ${''.padEnd(22)}  · ${e}\n`;
  return out;
}

export const CSV_HEAD =
  'id,decision,measures,reasons,missing_documents,missing_approvals,exception,conditions,as_of,jurisdiction,regime_version\n';

export function decisionCsvLine(d: Decision): string {
  return `${[
    d.id,
    d.decision,
    [...new Set(d.reasons.map((r) => r.measure).filter(Boolean))].join(';'),
    d.reasons.map((r) => `${r.kind}: ${r.text}`).join(' | '),
    d.missingDocuments.join(';'),
    d.missingApprovals.join(';'),
    d.exception ?? '',
    d.conditions.join(' | '),
    d.asOf,
    d.jurisdiction,
    d.regimeVersion,
  ]
    .map(csvEscape)
    .join(',')}\n`;
}
