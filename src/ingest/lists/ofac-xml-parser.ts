/**
 * OFAC SDN XML (`sdnList` of `sdnEntry`, schema http://tempuri.org/sdnList.xsd). An individual's
 * name is `lastName, firstName` (family name first, as in the CSV); `akaList/aka` carries
 * `type` (a.k.a. / f.k.a. / n.k.a.) and `category` (strong / weak); `programList/program` the
 * programs (DPRK, DPRK2, DPRK3, DPRK4, DPRK-NKSPEA); `idList/id` the vessel's IMO number
 * ("Vessel Registration Identification", "IMO 7937317"). `publshInformation/Publish_Date`
 * (sic, OFAC's spelling) is MM/DD/YYYY.
 */
import { XMLParser } from 'fast-xml-parser';
import { EmbargoError } from '../../core/errors.js';
import {
  isDprkProgram,
  type NameKind,
  type PartyEntity,
  type PartyName,
  type PartyType,
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

const TYPES: Readonly<Record<string, PartyType>> = {
  individual: 'person',
  entity: 'entity',
  vessel: 'vessel',
  aircraft: 'entity',
};

export function isOfacXml(head: string): boolean {
  return head.includes('<sdnList');
}

function personName(node: XmlNode): string {
  const last = textOf(node.lastName);
  const first = textOf(node.firstName);
  return last && first ? `${last}, ${first}` : last || first;
}

export function parseOfacXml(text: string, options: ParseOptions): ListParse {
  assertWellFormedXml(text, options.file);
  const parser = new XMLParser({
    ignoreAttributes: true,
    parseTagValue: false,
    trimValues: true,
    removeNSPrefix: true,
    isArray: (name) => ['sdnEntry', 'aka', 'program', 'id'].includes(name),
  });
  const root = (parser.parse(text) as XmlNode).sdnList as XmlNode | undefined;
  if (!root || typeof root !== 'object') {
    throw new EmbargoError('EMB_LIST_MALFORMED', 'no sdnList root element: not an OFAC SDN XML file', {
      file: options.file,
      line: 1,
    });
  }
  const result: ListParse = { items: [], errors: [], warnings: [], filteredOut: 0 };
  const publish = textOf((root.publshInformation as XmlNode | undefined)?.Publish_Date);
  const us = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(publish);
  if (us) result.published = `${us[3]}-${us[1]}-${us[2]}`;
  const lines = linesOfOffsets(text, tagOffsets(text, 'sdnEntry'));
  asArray(root.sdnEntry as XmlNode[]).forEach((node, i) => {
    const where = { file: options.file, ...(lines[i] !== undefined ? { line: lines[i] } : {}) };
    const uid = textOf(node.uid);
    if (!/^\d+$/.test(uid)) {
      result.errors.push(
        new EmbargoError('EMB_LIST_MALFORMED', 'sdnEntry has no numeric uid', { ...where, field: 'uid' }),
      );
      return;
    }
    const programs = asArray((node.programList as XmlNode | undefined)?.program)
      .map(textOf)
      .filter(Boolean);
    if (!options.all && !programs.some(isDprkProgram)) {
      result.filteredOut++;
      return;
    }
    const name = personName(node);
    if (!name) {
      result.errors.push(
        new EmbargoError('EMB_LIST_MALFORMED', `sdnEntry ${uid} has no name`, {
          ...where,
          field: 'lastName',
        }),
      );
      return;
    }
    const sdnType = textOf(node.sdnType).toLowerCase();
    const type = TYPES[sdnType];
    if (!type) {
      result.errors.push(
        new EmbargoError(
          'EMB_LIST_MALFORMED',
          `sdnEntry ${uid} has unknown sdnType '${textOf(node.sdnType)}'`,
          {
            ...where,
            field: 'sdnType',
          },
        ),
      );
      return;
    }
    const names: PartyName[] = [{ name, kind: 'primary' }];
    for (const aka of asArray((node.akaList as XmlNode | undefined)?.aka) as XmlNode[]) {
      const akaName = personName(aka);
      if (!akaName) continue;
      const akaType = textOf(aka.type).toLowerCase();
      const category = textOf(aka.category).toLowerCase();
      const kind: NameKind =
        akaType === 'f.k.a.' ? 'former' : category === 'weak' ? 'weak-alias' : 'strong-alias';
      names.push({ name: akaName, kind });
    }
    let imo: string | undefined;
    for (const id of asArray((node.idList as XmlNode | undefined)?.id) as XmlNode[]) {
      const idType = textOf(id.idType);
      const number = textOf(id.idNumber);
      if (/IMO|Vessel Registration/i.test(idType))
        imo ??= imoFromText(`IMO ${number.replace(/^IMO\s*/i, '')}`);
    }
    const remarks = textOf(node.remarks);
    imo ??= imoFromText(remarks);
    result.items.push({
      id: `OFAC-${uid}`,
      reference: uid,
      type,
      names,
      programs,
      ...(imo ? { imo } : {}),
      ...(remarks ? { remarks } : {}),
    } satisfies PartyEntity);
  });
  return result;
}
