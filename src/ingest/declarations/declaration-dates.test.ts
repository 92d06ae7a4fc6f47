/**
 * The shipment and arrival dates (R21): optional, real calendar dates, rejected with their line and
 * field otherwise, in CSV and JSON lines alike.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type DeclarationBatch, readDeclarations } from './declaration-reader.js';

async function readAll(text: string, file: string) {
  const out: DeclarationBatch = { items: [], errors: [] };
  for await (const b of readDeclarations(Readable.from([Buffer.from(text, 'utf8')]), { file })) {
    out.items.push(...b.items);
    out.errors.push(...b.errors);
  }
  return out;
}

describe('shipment_date and arrival_date', () => {
  it('reads both from CSV and rejects dates that do not exist, naming line and field', async () => {
    const csv = [
      'id,date,direction,hs_code,origin,shipment_date,arrival_date',
      'S1,2016-12-12,import,2701120000,KP,2016-12-10,2016-12-11',
      'S2,2016-12-12,import,2701120000,KP,2016-11-31,',
      'S3,2016-12-12,import,2701120000,KP,,12/11/2016',
      'S4,2016-12-12,import,2701120000,KP,,',
    ].join('\r\n');
    const { items, errors } = await readAll(`\uFEFF${csv}\r\n`, 'dates.csv');
    expect(
      items.map((i) => [i.declaration.id, i.declaration.shipmentDate, i.declaration.arrivalDate]),
    ).toEqual([
      ['S1', '2016-12-10', '2016-12-11'],
      ['S4', undefined, undefined],
    ]);
    expect(errors.map((e) => [e.line, e.field, e.code])).toEqual([
      [3, 'shipment_date', 'EMB_DECLARATION_INVALID'],
      [4, 'arrival_date', 'EMB_DECLARATION_INVALID'],
    ]);
    expect(errors[0]?.reason).toMatch(/2016-11-31/);
  });

  it('reads them from JSON lines too', async () => {
    const jsonl = [
      '{"id":"J1","date":"2017-08-20","direction":"import","hs_code":"2601111000","origin":"KP","arrival_date":"2017-08-14"}',
      '{"id":"J2","date":"2017-08-20","direction":"import","hs_code":"2601111000","origin":"KP","arrival_date":"2017-8-14"}',
    ].join('\n');
    const { items, errors } = await readAll(`${jsonl}\n`, 'dates.jsonl');
    expect(items.map((i) => i.declaration.arrivalDate)).toEqual(['2017-08-14']);
    expect(errors.map((e) => [e.line, e.field])).toEqual([[2, 'arrival_date']]);
  });
});
