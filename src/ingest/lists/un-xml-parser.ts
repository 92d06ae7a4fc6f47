/**
 * UN Security Council Consolidated List, official XML (`CONSOLIDATED_LIST` with `INDIVIDUALS` /
 * `ENTITIES`). Field meanings that are easy to get wrong:
 * - for individuals `FIRST_NAME` is the family name and `SECOND_NAME` the given name, so
 *   "RI" + "PYONG CHUL" → `RI PYONG CHUL` (list order, family first);
 * - alias QUALITY `Low` is a weak alias, `Good` and `a.k.a.` strong aliases, `f.k.a.` a former name;
 * - `NAME_ORIGINAL_SCRIPT` is the name in Hangul, Hanzi or Arabic;
 * - `REFERENCE_NUMBER` often has stray spaces; IMO numbers of shipping companies sit in `COMMENTS1`.
 * By default only the DPRK regime (UN list type `DPRK`, references KPi/KPe) is kept.
 */
import { XMLParser } from 'fast-xml-parser';
import { EmbargoError } from '../../core/errors.js';
import {
  type NameKind,
  type PartyEntity,
  type PartyName,
  splitTrailingAcronym,
} from '../../core/parties/party-model.js';
import {
  asArray,
  assertWellFormedXml,
  imoFromText,
  type ListParse,
  linesOfOffsets,
  type ParseOptions,
  tagOffsets,
  textOf,
} from './list-source.js';

type XmlNode = Record<string, unknown>;

const ALIAS_KINDS: Readonly<Record<string, NameKind>> = {
  low: 'weak-alias',
  good: 'strong-alias',
  'a.k.a.': 'strong-alias',
  'f.k.a.': 'former',
};

/** Parenthesised cross-references such as "(KPE.018)" are not names. */
const CROSS_REFERENCE = /^[A-Z]{2}[EI]\.\d+$/i;

export function isUnConsolidatedXml(head: string): boolean {
  return head.includes('<CONSOLIDATED_LIST');
}

export function parseUnXml(text: string, options: ParseOptions): ListParse {
  assertWellFormedXml(text, options.file);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    trimValues: true,
    isArray: (name) => ['INDIVIDUAL', 'ENTITY', 'INDIVIDUAL_ALIAS', 'ENTITY_ALIAS', 'VALUE'].includes(name),
  });
  const doc = parser.parse(text) as XmlNode;
  const root = doc.CONSOLIDATED_LIST as XmlNode | undefined;
  if (!root || typeof root !== 'object') {
    throw new EmbargoError(
      'EMB_LIST_MALFORMED',
      'no CONSOLIDATED_LIST root element: not a UN consolidated list',
      {
        file: options.file,
        line: 1,
      },
    );
  }
  const generated = textOf(root['@dateGenerated']);
  const result: ListParse = { items: [], errors: [], warnings: [], filteredOut: 0 };
  if (/^\d{4}-\d{2}-\d{2}/.test(generated)) result.published = generated.slice(0, 10);

  const individuals = asArray((root.INDIVIDUALS as XmlNode | undefined)?.INDIVIDUAL) as XmlNode[];
  const entities = asArray((root.ENTITIES as XmlNode | undefined)?.ENTITY) as XmlNode[];
  const individualLines = linesOfOffsets(text, tagOffsets(text, 'INDIVIDUAL'));
  const entityLines = linesOfOffsets(text, tagOffsets(text, 'ENTITY'));
  individuals.forEach((node, i) => {
    addEntry(node, 'person', individualLines[i], options, result);
  });
  entities.forEach((node, i) => {
    addEntry(node, 'entity', entityLines[i], options, result);
  });
  return result;
}

function addEntry(
  node: XmlNode,
  type: 'person' | 'entity',
  line: number | undefined,
  options: ParseOptions,
  result: ListParse,
): void {
  const reference = textOf(node.REFERENCE_NUMBER).replace(/\s+/g, '');
  const listType = textOf(node.UN_LIST_TYPE);
  const dprk = listType === 'DPRK' || /^KP[EI]\./i.test(reference);
  if (!options.all && !dprk) {
    result.filteredOut++;
    return;
  }
  const where = { file: options.file, ...(line !== undefined ? { line } : {}) };
  if (!reference) {
    result.errors.push(
      new EmbargoError('EMB_LIST_MALFORMED', `${type} entry has no reference number`, {
        ...where,
        field: 'REFERENCE_NUMBER',
      }),
    );
    return;
  }
  const nameParts = ['FIRST_NAME', 'SECOND_NAME', 'THIRD_NAME', 'FOURTH_NAME'].map((k) => textOf(node[k]));
  const fullName = nameParts.filter(Boolean).join(' ').replace(/\s+/g, ' ').trim();
  if (!fullName) {
    result.errors.push(
      new EmbargoError('EMB_LIST_MALFORMED', `entry ${reference} has no name`, {
        ...where,
        field: 'FIRST_NAME',
      }),
    );
    return;
  }
  const names: PartyName[] = [];
  const addName = (raw: string, kind: NameKind) => {
    const { name, acronym } = splitTrailingAcronym(raw);
    const push = (text: string, k: NameKind) => {
      if (!names.some((n) => n.name === text)) names.push({ name: text, kind: k });
    };
    if (name) push(name, kind);
    if (acronym && !CROSS_REFERENCE.test(acronym)) push(acronym, 'strong-alias');
  };
  addName(fullName, 'primary');
  const aliasTag = type === 'person' ? 'INDIVIDUAL_ALIAS' : 'ENTITY_ALIAS';
  for (const alias of asArray(node[aliasTag]) as XmlNode[]) {
    const aliasName = textOf(alias.ALIAS_NAME);
    if (!aliasName) continue;
    const quality = textOf(alias.QUALITY).toLowerCase();
    addName(aliasName, ALIAS_KINDS[quality] ?? 'strong-alias');
  }
  const original = textOf(node.NAME_ORIGINAL_SCRIPT);
  if (original) names.push({ name: original, kind: 'original-script' });
  const comments = textOf(node.COMMENTS1);
  const imo = imoFromText(comments);
  const listedOn = textOf(node.LISTED_ON);
  const entity: PartyEntity = {
    id: reference,
    reference,
    type,
    names,
    programs: dprk ? ['UN-1718'] : listType ? [`UN-${listType}`] : [],
    ...(imo ? { imo } : {}),
    ...(/^\d{4}-\d{2}-\d{2}/.test(listedOn) ? { listedOn: listedOn.slice(0, 10) } : {}),
    ...(comments ? { remarks: comments } : {}),
  };
  result.items.push(entity);
}
