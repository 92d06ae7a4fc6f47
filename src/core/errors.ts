/**
 * The one error type of embargo. Every code lives in ERROR_CODES with a one-line meaning;
 * docs/errors.md explains each (what happened / how to fix) and a test keeps both in sync.
 * Codes are never reused once retired.
 */
export const ERROR_CODES = {
  EMB_USAGE: 'The command was called with missing or invalid arguments.',
  EMB_INTERNAL: 'An unexpected internal failure (a bug).',
  EMB_FILE_NOT_FOUND: 'An input file or directory does not exist or cannot be read.',
  EMB_FILE_ENCODING: 'An input file is not in an encoding embargo can read.',
  EMB_CONFIG_INVALID: 'A configuration value (flag, environment variable or config file) is invalid.',
  EMB_REGIME_INVALID: 'A regime file does not satisfy the measure schema.',
  EMB_REGIME_UNKNOWN_KEY: 'A regime file contains a key the schema does not know.',
  EMB_REGIME_YAML: 'A regime file is not valid YAML.',
  EMB_REGIME_DUPLICATE_ID: 'Two measures (or instruments) share one id.',
  EMB_REGIME_BAD_REFERENCE: 'A measure refers to a measure, exception or cap that does not exist.',
  EMB_REGIME_UNKNOWN_MEASURE: 'No measure has the requested id.',
  EMB_DECLARATION_INVALID: 'A declaration row has a missing or malformed field.',
  EMB_CSV_MALFORMED: 'A CSV line cannot be split into fields (for example unbalanced quotes).',
  EMB_JSON_MALFORMED: 'A JSON or JSON-lines input cannot be parsed.',
  EMB_STORE_OPEN: 'The store (SQLite file or PostgreSQL database) cannot be opened or reached.',
  EMB_STORE_MIGRATION: 'The store schema cannot be brought up to date (or is newer than this embargo).',
  EMB_STORE_CONFLICT:
    'Another writer changed approval data a batch chunk was screened under before the chunk was stored.',
  EMB_USER_UNKNOWN: 'No user is named, or the named user does not exist.',
  EMB_USER_EXISTS: 'A user with that name already exists.',
  EMB_PERMISSION_DENIED: "The acting user's role does not allow this action.",
  EMB_DECLARATION_UNKNOWN: 'No stored declaration has the requested id.',
  EMB_CASE_UNKNOWN: 'No case has the requested id.',
  EMB_CASE_STATE: "The case action is not possible in the case's current state.",
  EMB_FOUR_EYES: 'A decision needs a second person (a supervisor other than the proposer).',
  EMB_APPROVAL_UNKNOWN: 'No approval chain has the requested type and reference.',
  EMB_APPROVAL_EXISTS: 'An approval chain with that type and reference already exists.',
  EMB_APPROVAL_STATE: "The approval step is not possible from the chain's current state.",
  EMB_AUDIT_BROKEN: 'The audit trail does not verify: an entry was edited, removed, inserted or reordered.',
  EMB_TRADE_ROW_INVALID: 'A trade-data row has a missing or malformed field and was not imported.',
  EMB_TRADE_FORMAT_UNKNOWN:
    'A trade-data file is not in a format embargo recognises, or lacks a required column.',
  EMB_TRADE_OBSERVATIONS_INVALID: 'A trade observations file (YAML) is not valid as a whole.',
  EMB_TRADE_ID_CONFLICT:
    'An observation id is already stored with different content (observations are never overwritten).',
  EMB_LIST_MALFORMED: 'A party list file is truncated, not well-formed, or an entry lacks a required field.',
  EMB_LIST_FORMAT_UNKNOWN:
    'A party list file is in none of the formats embargo reads (un-xml, ofac-xml, ofac-csv, ftm, embargo).',
  EMB_LIST_INVALID: 'An embargo-format party list (YAML or CSV) does not satisfy the list schema.',
  EMB_LIST_NOT_FOUND: 'No imported list or list entry has the requested id or reference.',
  EMB_LIST_DOWNLOAD_FAILED: 'Downloading a party list from its configured URL failed.',
  EMB_CAP_UNKNOWN: 'The measure has no such cap, or no period of the cap contains the date given.',
  EMB_LEDGER_INVALID: 'The cap ledger file under the data directory cannot be read.',
  EMB_LEDGER_LOCKED: 'Another embargo process held the cap ledger lock for too long.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetails {
  file?: string;
  line?: number;
  field?: string;
  path?: string;
  [key: string]: unknown;
}

export class EmbargoError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbargoError';
    this.code = code;
    this.details = details;
  }
}

export function isEmbargoError(value: unknown): value is EmbargoError {
  return value instanceof EmbargoError;
}

/** Formats "file:line field: message" the same way everywhere a location is known. */
export function describeLocation(details: ErrorDetails | undefined): string {
  if (!details) return '';
  const parts: string[] = [];
  if (details.file) parts.push(details.line !== undefined ? `${details.file}:${details.line}` : details.file);
  else if (details.line !== undefined) parts.push(`line ${details.line}`);
  if (details.path) parts.push(details.path);
  if (details.field) parts.push(`field '${details.field}'`);
  return parts.join(' ');
}
