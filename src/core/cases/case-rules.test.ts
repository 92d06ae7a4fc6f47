import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyCaseAction, type CaseState, needsFourEyes, openCase } from './case-rules.js';
import type { Actor } from './roles.js';

const officer: Actor = { name: 'olga', role: 'officer' };
const sup1: Actor = { name: 'sam', role: 'supervisor' };
const sup2: Actor = { name: 'sue', role: 'supervisor' };
const analyst: Actor = { name: 'ann', role: 'analyst' };
const admin: Actor = { name: 'root', role: 'admin' };

const fresh = (screeningOutcome: CaseState['screeningOutcome'] = 'HOLD', partyMatch = false) =>
  openCase({ id: 'C-1', declarationId: 'D-1', version: 1, screeningOutcome, partyMatch }, 't0').state;

describe('case rules', () => {
  it('opens a case in state open with an opened event', () => {
    const { state, event } = openCase(
      { id: 'C-1', declarationId: 'D-1', version: 1, screeningOutcome: 'HOLD', partyMatch: false },
      't0',
    );
    expect(state.status).toBe('open');
    expect(event.action).toBe('opened');
  });

  it('lets an officer clear a plain HOLD alone, with a reason', () => {
    const { state, event } = applyCaseAction(
      fresh(),
      { type: 'decide', outcome: 'CLEAR', reason: 'letter seen' },
      officer,
      't1',
    );
    expect(state).toMatchObject({
      status: 'closed',
      outcome: 'CLEAR',
      decidedBy: 'olga',
      outcomeReason: 'letter seen',
    });
    expect(event.action).toBe('decided');
  });

  it('refuses a decision without a written reason', () => {
    expect(() =>
      applyCaseAction(fresh(), { type: 'decide', outcome: 'REFUSE', reason: '  ' }, officer, 't1'),
    ).toThrow(expect.objectContaining({ code: 'EMB_USAGE' }));
  });

  it('needs a second supervisor to clear over a REFUSE', () => {
    const proposed = applyCaseAction(
      fresh('REFUSE'),
      { type: 'decide', outcome: 'CLEAR', reason: 'origin proven' },
      officer,
      't1',
    ).state;
    expect(proposed).toMatchObject({ status: 'pending-approval', proposedBy: 'olga', outcome: null });
    // the officer again: not a supervisor
    expect(() =>
      applyCaseAction(proposed, { type: 'decide', outcome: 'CLEAR', reason: 'again' }, officer, 't2'),
    ).toThrow(expect.objectContaining({ code: 'EMB_FOUR_EYES' }));
    const closed = applyCaseAction(
      proposed,
      { type: 'decide', outcome: 'CLEAR', reason: 'agree' },
      sup1,
      't2',
    ).state;
    expect(closed).toMatchObject({ status: 'closed', outcome: 'CLEAR', decidedBy: 'sam' });
  });

  it('does not let a supervisor confirm their own proposal', () => {
    const proposed = applyCaseAction(
      fresh('HOLD', true),
      { type: 'decide', outcome: 'CLEAR', reason: 'not the same person' },
      sup1,
      't1',
    ).state;
    expect(proposed.status).toBe('pending-approval');
    expect(() =>
      applyCaseAction(proposed, { type: 'decide', outcome: 'CLEAR', reason: 'me again' }, sup1, 't2'),
    ).toThrow(expect.objectContaining({ code: 'EMB_FOUR_EYES' }));
    expect(
      applyCaseAction(proposed, { type: 'decide', outcome: 'CLEAR', reason: 'ok' }, sup2, 't2').state.status,
    ).toBe('closed');
  });

  it('keeps a possible party match once seen, even after a clean re-screen', () => {
    const matched = applyCaseAction(
      fresh(),
      { type: 'rescreened', outcome: 'HOLD', partyMatch: true, decisionSeq: 2 },
      officer,
      't1',
    ).state;
    const clean = applyCaseAction(
      matched,
      { type: 'rescreened', outcome: 'CLEAR', partyMatch: false, decisionSeq: 3 },
      officer,
      't2',
    ).state;
    expect(clean.partyMatch).toBe(true);
    expect(needsFourEyes(clean, 'CLEAR')).toBe(true);
  });

  it('lets anyone who works cases refuse alone', () => {
    expect(
      applyCaseAction(
        fresh('REFUSE', true),
        { type: 'decide', outcome: 'REFUSE', reason: 'designated' },
        officer,
        't1',
      ).state.status,
    ).toBe('closed');
  });

  it('moves info-requested back to open when something is attached', () => {
    const asked = applyCaseAction(
      fresh(),
      { type: 'request-info', text: 'send the letter' },
      officer,
      't1',
    ).state;
    expect(asked.status).toBe('info-requested');
    const attached = applyCaseAction(
      asked,
      {
        type: 'attach',
        kind: 'document',
        reference: { type: 'commitment-letter-livelihood', reference: 'CL-1' },
      },
      officer,
      't2',
    ).state;
    expect(attached.status).toBe('open');
  });

  it('takes notes on closed cases but no other action', () => {
    const closed = applyCaseAction(
      fresh(),
      { type: 'decide', outcome: 'REFUSE', reason: 'no letter' },
      officer,
      't1',
    ).state;
    expect(applyCaseAction(closed, { type: 'note', text: 'appeal lodged' }, officer, 't2').event.action).toBe(
      'noted',
    );
    for (const action of [
      { type: 'assign', assignee: 'olga' },
      { type: 'decide', outcome: 'CLEAR', reason: 'x' },
      { type: 'request-info', text: 'x' },
    ] as const) {
      expect(() => applyCaseAction(closed, action, sup1, 't3')).toThrow(
        expect.objectContaining({ code: 'EMB_CASE_STATE' }),
      );
    }
  });

  it('lets analysts and admins do nothing to a case', () => {
    for (const actor of [analyst, admin]) {
      expect(() => applyCaseAction(fresh(), { type: 'note', text: 'hi' }, actor, 't1')).toThrow(
        expect.objectContaining({ code: 'EMB_PERMISSION_DENIED' }),
      );
    }
  });

  it('never closes a four-eyes case on one person alone, whatever the sequence (property)', () => {
    const actors = [officer, sup1, sup2];
    const action = fc.oneof(
      fc.record({
        type: fc.constant('decide' as const),
        outcome: fc.constant('CLEAR' as const),
        reason: fc.constant('r'),
      }),
      fc.record({ type: fc.constant('note' as const), text: fc.constant('n') }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...actors), action), { maxLength: 8 }), (steps) => {
        let state = fresh('REFUSE');
        for (const [actor, a] of steps) {
          try {
            state = applyCaseAction(state, a, actor, 't').state;
          } catch {
            // refused actions leave the state as it was
          }
        }
        if (state.status === 'closed') {
          expect(state.decidedBy).not.toBe(state.proposedBy);
          expect(['sam', 'sue']).toContain(state.decidedBy);
        }
      }),
    );
  });
});
