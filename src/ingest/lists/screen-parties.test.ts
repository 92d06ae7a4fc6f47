import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../../../bin/embargo.js', import.meta.url).pathname;

describe('embargo screen with party screening (child process, default list)', () => {
  const home = mkdtempSync(join(tmpdir(), 'embargo-screen-parties-'));
  const file = join(home, 'decls.csv');
  writeFileSync(
    file,
    [
      'id,date,direction,hs_code,origin,to,consignor,consignee,vessel_imo,vessel_name',
      'P1,2017-03-01,export,8703,CN,KP,Dandong Trading,Korea Ryonbong General Corp.,,',
      'P2,2017-03-01,export,8703,CN,KP,Dandong Trading,Ryonbong General,,',
      'P3,2017-03-01,export,8703,CN,KP,Acme,Acme,IMO 8691702,',
      'P4,2017-03-01,export,8703,CN,KP,Acme,Acme,,SAM JONG 2',
      'P5,2017-03-01,export,8703,CN,KP,Acme,Acme,,',
    ].join('\n'),
  );
  const run = (extra: string[]) =>
    spawnSync(process.execPath, [BIN, 'screen', file, '--format', 'jsonl', ...extra], {
      encoding: 'utf8',
      env: { ...process.env, EMBARGO_HOME: home },
    });

  it('refuses a designated consignee citing the list entry, holds a near miss, refuses by IMO and vessel name', () => {
    const { status, stdout } = run([]);
    expect(status).toBe(0);
    const decisions = new Map(
      stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .map((d) => [d.id, d]),
    );
    const p1 = decisions.get('P1');
    expect(p1.decision).toBe('REFUSE');
    const refused = p1.reasons.find((r: { kind: string }) => r.kind === 'party-designated');
    expect(refused.citation).toContain('KPe.002');
    expect(refused.citation).toContain('embargo-default');
    expect(p1.lists[0]).toMatchObject({ id: 'embargo-default' });
    expect(decisions.get('P2').decision).toBe('HOLD');
    expect(decisions.get('P2').reasons.map((r: { kind: string }) => r.kind)).toContain(
      'party-possible-match',
    );
    expect(decisions.get('P3').decision).toBe('REFUSE');
    expect(decisions.get('P4').decision).toBe('REFUSE');
    expect(decisions.get('P5').decision).toBe('CLEAR');
  });

  it('skips party screening with --no-parties', () => {
    const { stdout } = run(['--no-parties']);
    const p1 = JSON.parse(stdout.trim().split('\n')[0] ?? '{}');
    expect(p1.decision).toBe('CLEAR');
    expect(p1.lists).toEqual([]);
  });
});
