import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES, freshDatabase, type TestDatabase, withRawDatabase } from '../../test/databases.js';
import { canonicalJson, chainEntry, hashInput } from '../core/audit/audit-chain.js';
import { sha256 } from '../store/kysely-store.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/port.js';
import { exportAudit, recordStateChange, verifyAudit } from './audit-service.js';

let clock = 0;
const now = () => new Date(Date.UTC(2026, 0, 1) + clock++ * 1000).toISOString();

describe.each(DATABASES)('audit trail on %s', (kind) => {
  let database: TestDatabase;
  let store: Store;

  beforeEach(async () => {
    database = await freshDatabase(kind);
    store = await openStore(database.target, { now });
    for (let i = 1; i <= 6; i++) {
      await store.write((tx) =>
        tx.appendAudit({
          actor: 'ana',
          action: 'case.noted',
          subject: `case:C-${i}`,
          payload: { text: `note ${i}` },
        }),
      );
    }
  });

  afterEach(async () => {
    await store.close();
    await database.cleanup();
  });

  const raw = <T>(fn: Parameters<typeof withRawDatabase<T>>[1]) => withRawDatabase(database, fn);

  it('verifies an intact chain and reports its head', async () => {
    const result = await verifyAudit(store);
    expect(result).toMatchObject({ ok: true, entries: 6, finding: null });
    expect(result.head?.seq).toBe(6);
  });

  it('catches an edited entry', async () => {
    await raw((db) => sql`update audit_log set payload = '{"text":"rewritten"}' where seq = 3`.execute(db));
    const result = await verifyAudit(store);
    expect(result.ok).toBe(false);
    expect(result.finding).toMatchObject({ kind: 'edited', seq: 3 });
    expect(result.entries).toBe(2);
  });

  it('catches an edit whose hash was recomputed, at the entry after it', async () => {
    const entry = (await store.auditBySeq(3))!;
    const forged = { ...entry, actor: 'mallory' };
    const hash = sha256(hashInput(forged));
    await raw((db) => sql`update audit_log set actor = 'mallory', hash = ${hash} where seq = 3`.execute(db));
    const result = await verifyAudit(store);
    expect(result.finding).toMatchObject({ kind: 'removed', seq: 4 });
    expect(result.finding?.message).toMatch(/removed or replaced/);
  });

  it('catches a removed entry', async () => {
    await raw((db) => sql`delete from audit_log where seq = 3`.execute(db));
    const result = await verifyAudit(store);
    expect(result.finding).toMatchObject({ kind: 'removed', seq: 4 });
    expect(result.finding?.message).toContain('entry 3 was removed');
  });

  it('catches a removed entry even when later entries were renumbered to close the gap', async () => {
    await raw(async (db) => {
      await sql`delete from audit_log where seq = 3`.execute(db);
      await sql`update audit_log set seq = seq + 1000 where seq > 3`.execute(db);
      await sql`update audit_log set seq = seq - 1001 where seq > 1000`.execute(db);
    });
    const result = await verifyAudit(store);
    expect(result.finding).toMatchObject({ kind: 'removed', seq: 3 });
  });

  it('catches a removed first entry', async () => {
    await raw((db) => sql`delete from audit_log where seq = 1`.execute(db));
    expect((await verifyAudit(store)).finding).toMatchObject({ kind: 'removed', seq: 2 });
  });

  it('catches an inserted entry forged with a correct hash', async () => {
    const second = (await store.auditBySeq(2))!;
    const forged = chainEntry(
      { actor: 'mallory', action: 'case.decided', subject: 'case:C-9', payload: { outcome: 'CLEAR' } },
      second,
      now(),
      sha256,
    );
    await raw(async (db) => {
      await sql`update audit_log set seq = seq + 1000 where seq >= 3`.execute(db);
      await sql`update audit_log set seq = seq - 999 where seq >= 1000`.execute(db);
      await sql`insert into audit_log (seq, at, actor, action, subject, payload, prev_hash, hash)
        values (3, ${forged.at}, ${forged.actor}, ${forged.action}, ${forged.subject}, ${forged.payload},
                ${forged.prevHash}, ${forged.hash})`.execute(db);
    });
    const result = await verifyAudit(store);
    expect(result.finding).toMatchObject({ kind: 'inserted', seq: 3 });
  });

  it('catches an inserted entry with a made-up hash', async () => {
    await raw(async (db) => {
      await sql`update audit_log set seq = seq + 1000 where seq >= 3`.execute(db);
      await sql`update audit_log set seq = seq - 999 where seq >= 1000`.execute(db);
      await sql`insert into audit_log (seq, at, actor, action, subject, payload, prev_hash, hash)
        values (3, '2026-01-01T00:00:00.000Z', 'mallory', 'x', 'y', '{}', 'abc', 'def')`.execute(db);
    });
    expect((await verifyAudit(store)).finding).toMatchObject({ kind: 'inserted', seq: 3 });
  });

  it('catches two entries swapped in order', async () => {
    await raw(async (db) => {
      await sql`update audit_log set seq = -1 where seq = 3`.execute(db);
      await sql`update audit_log set seq = 3 where seq = 4`.execute(db);
      await sql`update audit_log set seq = 4 where seq = -1`.execute(db);
    });
    const result = await verifyAudit(store);
    expect(result.finding).toMatchObject({ kind: 'reordered', seq: 3 });
  });

  it('catches entries cut from the end when given the head noted earlier', async () => {
    const head = (await verifyAudit(store)).head!;
    await raw((db) => sql`delete from audit_log where seq >= 5`.execute(db));
    expect((await verifyAudit(store)).ok).toBe(true);
    const result = await verifyAudit(store, head);
    expect(result.finding).toMatchObject({ kind: 'removed', seq: 6 });
  });

  it('chains a list import recorded from outside the store services', async () => {
    const entry = await recordStateChange(store, {
      actor: 'ana',
      action: 'list.imported',
      subject: 'list:un-consolidated:ab12',
      payload: { entries: 321 },
    });
    expect(entry.seq).toBe(7);
    expect(await verifyAudit(store)).toMatchObject({ ok: true, entries: 7 });
  });

  it('exports JSON-lines from which every hash can be recomputed', async () => {
    const lines: string[] = [];
    for await (const line of exportAudit(store)) lines.push(line);
    expect(lines).toHaveLength(6);
    let prev = '0'.repeat(64);
    for (const line of lines) {
      const e = JSON.parse(line);
      expect(e.prev_hash).toBe(prev);
      const text = hashInput({
        at: e.at,
        actor: e.actor,
        action: e.action,
        subject: e.subject,
        payload: canonicalJson(e.payload),
        prevHash: e.prev_hash,
      });
      expect(sha256(text)).toBe(e.hash);
      prev = e.hash;
    }
  });
});
