import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Declaration } from '../screening/declaration.js';
import {
  type ApprovalChain,
  advanceApproval,
  applyForApproval,
  convertQuantity,
  isFinal,
  nextStates,
  rejectApproval,
} from './approval-chain.js';
import { normaliseParty, verifyApproval } from './approval-verifier.js';

const coal = () =>
  applyForApproval(
    {
      chain: 'rason-transit-coal',
      ref: 'RF-1',
      applicant: 'Dandong Coal Trading Co., Ltd.',
      hsCode: '2701',
      quantity: 1000,
      unit: 't',
      date: '2016-04-20',
    },
    'olga',
    't0',
  );

function filed(): ApprovalChain {
  let chain = coal();
  for (const [actor, date] of [
    ['Liaoning DOFCOM', '2016-04-25'],
    ['MOFCOM', '2016-04-28'],
    ['MFA', '2016-05-02'],
    ['1718 Committee', '2016-05-10'],
  ] as const) {
    chain = advanceApproval(chain, { actor, date, reference: `${actor}-ref` }, 'olga', 't');
  }
  return chain;
}

const declaration = (fields: Partial<Declaration> = {}): Declaration => ({
  id: 'RC-1',
  date: '2016-06-01',
  direction: 'import',
  hsCode: '2701120000',
  consignee: 'DANDONG COAL TRADING CO LTD',
  quantity: 400,
  unit: 't',
  documents: [],
  approvals: [{ type: 'un-record-filing', reference: 'RF-1' }],
  flags: [],
  ...fields,
});
const ref = { type: 'un-record-filing', reference: 'RF-1' };

describe('Rason transit coal chain', () => {
  it('walks submitted → provincial-approved → mofcom-forwarded → mfa-notified → record-filed, each step recorded', () => {
    const chain = filed();
    expect(chain.steps.map((s) => s.state)).toEqual([
      'submitted',
      'provincial-approved',
      'mofcom-forwarded',
      'mfa-notified',
      'record-filed',
    ]);
    expect(chain.steps[2]).toMatchObject({
      actor: 'MOFCOM',
      date: '2016-04-28',
      reference: 'MOFCOM-ref',
      recordedBy: 'olga',
    });
    expect(isFinal(chain)).toBe(true);
    expect(nextStates(chain)).toEqual([]);
  });

  it('can be rejected at any step before the last, with a reason, and then takes no step', () => {
    const chain = advanceApproval(coal(), { actor: 'Liaoning DOFCOM', date: '2016-04-25' }, 'olga', 't');
    expect(() => rejectApproval(chain, { actor: 'MOFCOM', date: '2016-04-28' }, 'olga', 't')).toThrow(
      expect.objectContaining({ code: 'EMB_USAGE' }),
    );
    const rejected = rejectApproval(
      chain,
      { actor: 'MOFCOM', date: '2016-04-28', note: 'origin not proven' },
      'olga',
      't',
    );
    expect(rejected.state).toBe('rejected');
    expect(() => advanceApproval(rejected, { actor: 'MFA', date: '2016-05-01' }, 'olga', 't')).toThrow(
      expect.objectContaining({ code: 'EMB_APPROVAL_STATE' }),
    );
  });

  it('refuses skipping a step and steps dated before the previous one', () => {
    expect(() =>
      advanceApproval(coal(), { state: 'mfa-notified', actor: 'MFA', date: '2016-05-01' }, 'olga', 't'),
    ).toThrow(expect.objectContaining({ code: 'EMB_APPROVAL_STATE' }));
    expect(() => advanceApproval(coal(), { actor: 'DOFCOM', date: '2016-04-01' }, 'olga', 't')).toThrow(
      /before the previous/,
    );
  });
});

describe('aviation fuel humanitarian approval', () => {
  const fuel = () =>
    applyForApproval(
      {
        chain: 'aviation-fuel-humanitarian',
        ref: 'CA-7',
        applicant: 'Dandong Aviation Fuel',
        hsCode: '27101911',
        quantity: 50,
        unit: 't',
        date: '2016-05-01',
      },
      'olga',
      't0',
    );

  it('needs the monitoring arrangements before the Committee approval is recorded', () => {
    expect(() =>
      advanceApproval(fuel(), { actor: '1718 Committee', date: '2016-05-20' }, 'olga', 't'),
    ).toThrow(/monitoring/);
    const approved = advanceApproval(
      fuel(),
      { actor: '1718 Committee', date: '2016-05-20', monitoring: 'WFP monitors delivery at Sunan airport' },
      'olga',
      't',
    );
    expect(approved).toMatchObject({
      state: 'committee-approved',
      type: 'un-committee-approval',
      monitoring: 'WFP monitors delivery at Sunan airport',
    });
  });
});

describe('approval verifier', () => {
  it('accepts a filed chain that fits the declaration', () => {
    expect(verifyApproval(declaration(), ref, filed(), 0)).toMatchObject({
      accepted: true,
      quantity: 400,
      unit: 't',
    });
  });

  it.each([
    ['unknown', undefined, {}, 0, /no un-record-filing RF-1 is on record/],
    ['unfinished', coal(), {}, 0, /unfinished: it stands at submitted/],
    ['filed after the declaration date', filed(), { date: '2016-05-05' }, 0, /only completed on 2016-05-10/],
    ['another applicant', filed(), { consignee: 'Other Co' }, 0, /granted to Dandong/],
    ['other goods', filed(), { hsCode: '2601110000' }, 0, /covers HS 2701/],
    ['an export', filed(), { direction: 'export' as const }, 0, /covers imports/],
    ['no quantity', filed(), { quantity: undefined }, 0, /states no quantity/],
    ['incomparable units', filed(), { unit: 'l' }, 0, /cannot be compared/],
    ['exhausted by earlier use', filed(), {}, 700, /700 already used/],
  ])('treats %s as missing', (_, chain, fields, used, message) => {
    const verdict = verifyApproval(declaration(fields), ref, chain, used);
    expect(verdict.accepted).toBe(false);
    expect(verdict.reason).toMatch(message);
  });

  it('treats a rejected chain as missing, naming who rejected it', () => {
    const rejected = rejectApproval(
      coal(),
      { actor: 'Liaoning DOFCOM', date: '2016-04-22', note: 'no' },
      'olga',
      't',
    );
    expect(verifyApproval(declaration(), ref, rejected, 0).reason).toMatch(
      /rejected by Liaoning DOFCOM on 2016-04-22/,
    );
  });

  it('converts units: 400,000 kg fits a 1,000 t approval with 600 t used', () => {
    expect(verifyApproval(declaration({ quantity: 400_000, unit: 'kg' }), ref, filed(), 600).accepted).toBe(
      true,
    );
    expect(verifyApproval(declaration({ quantity: 400_001, unit: 'kg' }), ref, filed(), 600).accepted).toBe(
      false,
    );
  });

  it('never accepts more than the approval allows, whatever the split (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 600 }), { maxLength: 10 }), (quantities) => {
        const chain = filed();
        let used = 0;
        for (const q of quantities) {
          const v = verifyApproval(declaration({ quantity: q }), ref, chain, used);
          if (v.accepted) used += v.quantity ?? 0;
        }
        expect(used).toBeLessThanOrEqual(1000);
      }),
    );
  });

  it('normalises party names for comparison', () => {
    expect(normaliseParty('Dandong Coal Trading Co., Ltd.')).toBe(
      normaliseParty('DANDONG  COAL TRADING CO LTD'),
    );
    expect(convertQuantity(1, 'bbl', 'l')).toBeCloseTo(158.987, 2);
    expect(convertQuantity(1, 't', 'l')).toBeUndefined();
  });
});
