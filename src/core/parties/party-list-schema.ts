/**
 * embargo's own party-list format (YAML; a CSV form maps onto the same shape), for national and
 * internal lists and for the default list the product ships. Unlike the official formats it can
 * say when each name was in use and how entries relate. Validated once at load; unknown keys are
 * rejected. docs/formats.md ("Party lists") has examples.
 */
import { z } from 'zod';
import { NAME_KINDS, PARTY_ACTIONS, PARTY_TYPES } from './party-model.js';

export const LIST_FORMAT_TAG = 'embargo-party-list/1';

const MONTH = '(0[1-9]|1[0-2])';
const DAY = '(0[1-9]|[12]\\d|3[01])';
const isoDate = z.string().regex(new RegExp(`^\\d{4}-${MONTH}-${DAY}$`), 'expected an ISO date YYYY-MM-DD');
/** Name histories are often known only to the year or month ("June 1997", "2013"). */
const partialDate = z
  .string()
  .regex(new RegExp(`^\\d{4}(-${MONTH}(-${DAY})?)?$`), 'expected YYYY, YYYY-MM or YYYY-MM-DD');

export const PartyNameSchema = z.strictObject({
  name: z.string().trim().min(1),
  kind: z.enum(NAME_KINDS).default('primary'),
  from: partialDate.optional(),
  to: partialDate.optional(),
  note: z.string().optional(),
});

export const PartyRelationSchema = z.strictObject({
  kind: z.string().min(1),
  target: z.string().min(1),
});

export const PartyEntrySchema = z.strictObject({
  id: z.string().trim().min(1),
  reference: z.string().trim().min(1).optional(),
  type: z.enum(PARTY_TYPES),
  names: z.array(PartyNameSchema).min(1),
  imo: z
    .string()
    .regex(/^\d{7}$/, 'expected a 7-digit IMO number')
    .optional(),
  listed_on: isoDate.optional(),
  programs: z.array(z.string().min(1)).default([]),
  relations: z.array(PartyRelationSchema).optional(),
  action: z.enum(PARTY_ACTIONS).default('designated'),
  /** citation for the facts of this entry: required, an own list is only as good as its sources */
  source: z.string().min(1),
  remarks: z.string().optional(),
});

export const PartyListFileSchema = z.strictObject({
  format: z.literal(LIST_FORMAT_TAG),
  list: z.strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'list id: lower-case letters, digits and hyphens'),
    source: z.string().min(1),
    published: isoDate,
    url: z.string().optional(),
    description: z.string().optional(),
  }),
  entries: z.array(PartyEntrySchema),
});

export type PartyEntry = z.infer<typeof PartyEntrySchema>;
export type PartyListFile = z.infer<typeof PartyListFileSchema>;
