import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES, freshDatabase, type TestDatabase } from '../../../test/databases.js';
import { openCase } from '../../core/cases/case-rules.js';
import { kyselyAccess } from '../kysely-store.js';
import { openStore } from '../open-store.js';
import type { DecisionRecord, Store } from '../port.js';
import { encodeCopyText } from './copy-rows.js';

/** What the server reads from the CopyData messages: rows of text or null, unescaped. */
function decode(messages: readonly Buffer[]): (string | null)[][] {
  const payloads = messages.map((m) => {
    expect(m[0]).toBe(0x64);
    expect(m.readUInt32BE(1)).toBe(m.length - 1);
    return m.subarray(5);
  });
  const text = Buffer.concat(payloads).toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) =>
      line
        .split('\t')
        .map((cell) =>
          cell === '\\N'
            ? null
            : cell.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r' })[c] ?? c),
        ),
    );
}

const nasty = 'tab\there\nline\r\nback\\slash \\N \\\\t "quoted" 평양 😀 \u0001\u007f end';

describe('encodeCopyText', () => {
  it('escapes backslashes, tabs, newlines and carriage returns and writes null as \\N', () => {
    const rows = [
      [nasty, null, '', '\\N', 'plain'],
      [undefined, 'a\\b', '\t', '\n', '\r'],
    ];
    expect(decode(encodeCopyText(rows, 5))).toEqual([
      [nasty, null, '', '\\N', 'plain'],
      [null, 'a\\b', '\t', '\n', '\r'],
    ]);
    expect(
      Buffer.concat(encodeCopyText([['a\tb', '\\', null]], 3))
        .subarray(5)
        .toString(),
    ).toBe('a\\tb\t\\\\\t\\N\n');
  });

  it('writes numbers, bigints and booleans as text, keys first when given', () => {
    expect(decode(encodeCopyText([[1, 2.5, 10n, true]], 4, [7]))).toEqual([['7', '1', '2.5', '10', 'true']]);
  });

  it('spreads many rows and values larger than a message over several complete messages', () => {
    const big = `${'x'.repeat(300_000)}\t${'평'.repeat(100_000)}\\`;
    const rows = Array.from({ length: 4_000 }, (_, i) => [
      `row ${i}`,
      i % 1_000 === 0 ? big : `v${i}\n`,
      null,
    ]);
    const messages = encodeCopyText(rows, 3);
    expect(messages.length).toBeGreaterThan(4);
    expect(decode(messages)).toEqual(rows);
  });

  it('refuses a value it cannot write as text', () => {
    expect(() => encodeCopyText([[{}]], 1)).toThrow(TypeError);
  });

  it('decodes to the rows it encoded, whatever the texts', () => {
    const special = fc.constantFrom('\\', '\t', '\n', '\r', 'N', '\\N', '');
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.array(fc.oneof(special, fc.string({ unit: 'binary', maxLength: 3 }))).map((parts) => parts.join('')),
    );
    const cell = fc.oneof(text, fc.constant(null));
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 4 })
          .chain((width) =>
            fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1 }),
          ),
        (rows) => {
          expect(decode(encodeCopyText(rows, rows[0]!.length))).toEqual(rows);
        },
      ),
    );
  });
});

const clock = () => '2026-11-29T00:00:00.000Z';

const record = (text: string, exception: string | null): DecisionRecord => ({
  decision: 'HOLD',
  reasons: JSON.stringify([{ text }]),
  missingDocuments: '[]',
  missingApprovals: JSON.stringify([text]),
  exception,
  conditions: '[]',
  asOf: '2026-11-29',
  jurisdiction: text,
  regimeVersion: '\\N',
  lists: JSON.stringify({ un: text }),
  partyHits: [{ kind: 'name', outcome: 'HOLD', text, details: JSON.stringify({ text }) }],
});

const caseOf = (id: string, declarationId: string, reason: string) => {
  const opened = openCase(
    { id, declarationId, version: 1, screeningOutcome: 'HOLD', partyMatch: true },
    clock(),
  );
  return {
    state: { ...opened.state, assignee: reason, proposedReason: reason },
    num: Number(id.slice(2)),
    event: { action: 'opened', payload: { reason } },
    actor: 'olga',
  };
};

// Bulk rows go through COPY on PostgreSQL (ST17) and multi-row INSERTs on SQLite: both must store
// every text exactly as given.
describe.each(DATABASES)('bulk rows on %s', (kind) => {
  let database: TestDatabase;
  let store: Store;
  beforeEach(async () => {
    database = await freshDatabase(kind);
    store = await openStore(database.target, { now: clock });
  });
  afterEach(async () => {
    await store.close();
    await database.cleanup();
  });

  it('keeps texts with tabs, newlines, backslashes, unicode, \\N and nulls exactly', async () => {
    const big = `${nasty}\n`.repeat(20_000); // ~1.2 MB: several CopyData messages
    const seqs = await store.write(async (tx) => {
      const versions = await tx.putDeclarations([
        { id: `D\t${nasty}`, contentHash: nasty, source: nasty, body: JSON.stringify({ note: nasty }) },
        { id: 'D2', contentHash: '\\N', source: null, body: '{"n":"\\\\N"}' },
        { id: 'D3', contentHash: '', source: '', body: '{}' },
      ]);
      expect(versions).toEqual([1, 1, 1].map((version) => ({ version, created: true })));
      const stored = await tx.putDecisions([
        {
          declarationId: `D\t${nasty}`,
          version: 1,
          contextHash: nasty,
          decision: record(nasty, nasty),
          batchId: nasty,
        },
        { declarationId: 'D2', version: 1, contextHash: '\\N', decision: record('\\N', null), batchId: null },
        { declarationId: 'D3', version: 1, contextHash: '', decision: record('', ''), batchId: '' },
      ]);
      await tx.insertCases([caseOf('C-1', 'D2', nasty), caseOf('C-2', 'D3', '\\N')]);
      await tx.appendAuditMany([
        { actor: nasty, action: 'test.copy', subject: '\\N', payloadJson: nasty },
        { actor: '', action: 'test.copy', subject: nasty, payloadJson: big },
      ]);
      return stored.map((s) => s.seq);
    });
    expect(seqs).toEqual([1, 2, 3]);

    const declaration = await store.latestDeclaration(`D\t${nasty}`);
    expect(declaration).toMatchObject({ contentHash: nasty, source: nasty, declaration: { note: nasty } });
    expect(await store.latestDeclaration('D2')).toMatchObject({ contentHash: '\\N', source: null });
    expect((await store.latestDeclaration('D2'))?.declaration).toEqual({ n: '\\N' });
    expect(await store.latestDeclaration('D3')).toMatchObject({ contentHash: '', source: '' });

    const [first] = await store.decisionsOf(`D\t${nasty}`);
    expect(first).toMatchObject({ seq: 1, contextHash: nasty, batchId: nasty });
    expect(first?.decision).toMatchObject({
      reasons: [{ text: nasty }],
      missingApprovals: [nasty],
      exception: nasty,
      jurisdiction: nasty,
      regimeVersion: '\\N',
      lists: { un: nasty },
    });
    const [second] = await store.decisionsOf('D2');
    expect(second).toMatchObject({ seq: 2, contextHash: '\\N', batchId: null });
    expect(second?.decision).toMatchObject({ exception: null, jurisdiction: '\\N' });
    const [third] = await store.decisionsOf('D3');
    expect(third).toMatchObject({ seq: 3, contextHash: '', batchId: '' });
    expect(third?.decision).toMatchObject({ exception: '', jurisdiction: '' });
    const hits = await kyselyAccess(store)
      .kysely.selectFrom('party_hits')
      .select(['decision_seq', 'text', 'details'])
      .orderBy('decision_seq')
      .execute();
    expect(hits.map((h) => [Number(h.decision_seq), h.text, JSON.parse(h.details).text])).toEqual([
      [1, nasty, nasty],
      [2, '\\N', '\\N'],
      [3, '', ''],
    ]);

    expect(await store.getCase('C-1')).toMatchObject({
      assignee: nasty,
      proposedReason: nasty,
      outcome: null,
    });
    expect(await store.getCase('C-2')).toMatchObject({ assignee: '\\N', proposedReason: '\\N' });
    expect((await store.caseEvents('C-1'))[0]?.payload).toEqual({ reason: nasty });
    const audit = await store.auditPage(0, 10);
    expect(audit.map((a) => [a.actor, a.subject, a.payload])).toEqual([
      [nasty, '\\N', nasty],
      ['', nasty, big],
    ]);
  });

  it('gives decisions their seqs in input order, after a rolled-back write too', async () => {
    const decision = (id: string) => ({
      declarationId: id,
      version: 1,
      contextHash: 'c',
      decision: record(id, null),
      batchId: null,
    });
    const ids = Array.from({ length: 1_200 }, (_, i) => `K-${String(i).padStart(4, '0')}`);
    const first = await store.write((tx) => tx.putDecisions(ids.slice(0, 600).map(decision)));
    await expect(
      store.write(async (tx) => {
        await tx.putDecisions(ids.slice(600, 700).map(decision));
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const second = await store.write((tx) => tx.putDecisions(ids.slice(600).map(decision)));
    const seqs = [...first, ...second].map((r) => r.seq);
    expect([...first, ...second].every((r) => r.created)).toBe(true);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(ids.length);
    for (const [i, id] of [ids[0]!, ids[599]!, ids[600]!, ids[1_199]!].entries()) {
      const [stored] = await store.decisionsOf(id);
      expect(stored?.seq).toBe(seqs[[0, 599, 600, 1_199][i]!]);
    }
    // the same decisions again: found, not copied twice
    const again = await store.write((tx) => tx.putDecisions(ids.map(decision)));
    expect(again.map((r) => r.seq)).toEqual(seqs);
    expect(again.every((r) => !r.created)).toBe(true);
  });

  it('fails the write with the database error when a row is refused late in a large insert, and the store still writes', async () => {
    const reason = 'r\t'.repeat(100_000);
    const cases = Array.from({ length: 40 }, (_, i) => caseOf(`C-${i + 1}`, `D${i}`, reason));
    // the last case repeats the first one's id: refused after several messages have been sent
    const error = await store
      .write((tx) => tx.insertCases([...cases, { ...cases[0]!, num: 41 }]))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    if (kind === 'postgres') expect((error as { code?: string }).code).toBe('23505');
    expect(await store.listCases()).toEqual([]);
    await store.write((tx) => tx.insertCases(cases.slice(0, 2)));
    expect((await store.listCases()).map((c) => [c.id, c.proposedReason === reason])).toEqual([
      ['C-1', true],
      ['C-2', true],
    ]);
  });
});
