/**
 * Cap ledgers: how much of an aggregate cap (2321's coal, 2375/2397's petroleum) has been used in
 * each period, per unit. In memory and pure (no clock, no I/O); the caller decides where the
 * running total comes from: declarations cleared in this process, or the 1718 Committee's
 * published figure through `setRunningTotal` (the cap is global, not national).
 *
 * A cap with several limits follows the lower-of rule: a declaration fits only if it fits every
 * limit. A declaration is measured in each limit's unit (USD from `value`/`currency`, tonnes or
 * barrels from `quantity`/`unit` with the conversion table of regimes/conversions/units.yaml).
 * Screening checks first and commits only when the whole decision is CLEAR.
 *
 * Consumption must happen in declaration-date order: a declaration dated before the latest one
 * already consumed in the same period is held (`cap-out-of-order`), never silently counted.
 *
 * @example
 *   const ledger = new CapLedger(regime.units);
 *   ledger.setRunningTotal('UN-2321-OP26', 'coal-2017', '2017-03-31', { t: 2_000_000 });
 */
import type { Cap } from '../regime/measure-schema.js';
import type { UnitsFile } from '../regime/units-schema.js';
import type { Reason } from './decision.js';
import type { Declaration } from './declaration.js';

export interface CapPeriodState {
  key: string;
  measure: string;
  cap: string;
  from: string;
  to: string;
  /** amount used per limit unit */
  used: Record<string, number>;
  /** latest declaration date consumed */
  lastDate: string;
}

/** A checked, not yet committed, draw on a cap. */
export interface CapDraw {
  ok: boolean;
  /** reasons to add when the draw fails (REFUSE / HOLD) */
  reasons: Reason[];
  commit: (() => Reason[]) | null;
}

// one formatter, built once: Number#toLocaleString builds an Intl.NumberFormat per call, which
// cost ~100 µs per cap-drawing declaration and dominated screening under a cap
const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const fmt = (n: number) => NUMBER.format(n);

export class CapLedger {
  readonly #units: Map<string, { base: 't' | 'bbl'; factor: number }>;
  readonly #products: Map<string, number>;
  readonly #periods = new Map<string, CapPeriodState>();

  constructor(units: UnitsFile | null) {
    this.#units = new Map(
      (units?.units ?? []).map((u) => [u.unit.toLowerCase(), { base: u.base, factor: u.factor }]),
    );
    this.#products = new Map((units?.products ?? []).map((p) => [p.id, p.barrels_per_tonne]));
  }

  /** The state of every period touched so far, sorted by key. */
  snapshot(): CapPeriodState[] {
    return [...this.#periods.values()]
      .sort((a, b) => (a.key < b.key ? -1 : 1))
      .map((p) => ({ ...p, used: { ...p.used } }));
  }

  /** Sets the running total of the period containing `date` (e.g. from the 1718 Committee's figure). */
  setRunningTotal(measure: string, cap: Cap, date: string, totals: Record<string, number>): void {
    const state = this.#state(measure, cap, date);
    if (!state) throw new RangeError(`cap ${cap.id} of ${measure} has no period containing ${date}`);
    for (const [unit, amount] of Object.entries(totals)) state.used[unit] = amount;
  }

  /** The amount of a declaration in a limit's unit, or undefined when it cannot be measured. */
  amountIn(declaration: Declaration, unit: string, product: string | undefined): number | undefined {
    if (unit === 'USD') {
      return declaration.value !== undefined && declaration.currency?.toUpperCase() === 'USD'
        ? declaration.value
        : undefined;
    }
    if (declaration.quantity === undefined || !declaration.unit) return undefined;
    const from = this.#units.get(declaration.unit.toLowerCase());
    if (!from) return undefined;
    const base = declaration.quantity * from.factor;
    if (from.base === unit) return base;
    const bblPerT = product ? this.#products.get(product) : undefined;
    if (bblPerT === undefined) return undefined;
    if (from.base === 't' && unit === 'bbl') return base * bblPerT;
    if (from.base === 'bbl' && unit === 't') return base / bblPerT;
    return undefined;
  }

  /** Checks a declaration against a cap on `date` without consuming anything. */
  draw(
    measure: string,
    citation: string,
    cap: Cap,
    declaration: Declaration,
    date: string,
    unconfirmed: boolean,
  ): CapDraw {
    const reason = (
      kind: Reason['kind'],
      outcome: Reason['outcome'],
      text: string,
      details?: Record<string, unknown>,
    ): Reason => ({
      kind,
      outcome,
      measure,
      citation,
      text,
      unconfirmed: unconfirmed || cap.unconfirmed.length > 0,
      details: { cap: cap.id, ...details },
    });
    const state = this.#state(measure, cap, date);
    if (!state) {
      return {
        ok: false,
        reasons: [
          reason(
            'cap-exceeded',
            'REFUSE',
            `No period of cap '${cap.title}' is open on ${date}: nothing may be supplied under it`,
          ),
        ],
        commit: null,
      };
    }
    if (date < state.lastDate) {
      return {
        ok: false,
        reasons: [
          reason(
            'cap-out-of-order',
            'HOLD',
            `Cap '${cap.title}' was already consumed up to ${state.lastDate}; screen declarations in date order`,
            { period: state.from },
          ),
        ],
        commit: null,
      };
    }
    const period = cap.periods.find((p) => p.from === state.from)!;
    const stop = cap.stop_at ?? 1;
    const amounts: Record<string, number> = {};
    const unmeasured: string[] = [];
    const over: string[] = [];
    const headroom: Record<string, number> = {};
    for (const limit of period.limits) {
      const amount = this.amountIn(declaration, limit.unit, cap.product);
      if (amount === undefined) {
        unmeasured.push(limit.unit);
        continue;
      }
      amounts[limit.unit] = amount;
      const used = state.used[limit.unit] ?? 0;
      const left = limit.amount * stop - used;
      headroom[limit.unit] = Math.max(0, left);
      if (amount > left)
        over.push(`${fmt(amount)} ${limit.unit} requested, ${fmt(Math.max(0, left))} ${limit.unit} left`);
    }
    if (unmeasured.length > 0) {
      return {
        ok: false,
        reasons: [
          reason(
            'cap-unmeasured',
            'HOLD',
            `Cannot measure the declaration against cap '${cap.title}' in ${unmeasured.join(', ')}: declare quantity/unit and value/currency`,
            { units: unmeasured },
          ),
        ],
        commit: null,
      };
    }
    if (over.length > 0) {
      return {
        ok: false,
        reasons: [
          reason(
            'cap-exceeded',
            'REFUSE',
            `Would exceed cap '${cap.title}' (${period.from} to ${period.to}${stop < 1 ? `, stop at ${stop * 100}%` : ''}): ${over.join('; ')}`,
            { period: period.from, headroom },
          ),
        ],
        commit: null,
      };
    }
    const commit = (): Reason[] => {
      const reasons: Reason[] = [];
      const crossed = new Set<number>();
      // lower-of: the cap stands at its fullest limit, so a level is crossed once, when that
      // fullest fraction passes it (not again when a second limit later passes the same level)
      let fillBefore = 0;
      let fillAfter = 0;
      for (const limit of period.limits) {
        const before = state.used[limit.unit] ?? 0;
        const after = before + (amounts[limit.unit] ?? 0);
        state.used[limit.unit] = after;
        fillBefore = Math.max(fillBefore, before / limit.amount);
        fillAfter = Math.max(fillAfter, after / limit.amount);
      }
      for (const level of cap.warning_levels) {
        if (fillBefore < level && fillAfter >= level) crossed.add(level);
      }
      if (date > state.lastDate) state.lastDate = date;
      const used = Object.fromEntries(period.limits.map((l) => [l.unit, state.used[l.unit] ?? 0]));
      reasons.push(
        reason(
          'cap-consumed',
          'CLEAR',
          `Counted against cap '${cap.title}': ${period.limits
            .map((l) => `${fmt(used[l.unit] ?? 0)} of ${fmt(l.amount)} ${l.unit}`)
            .join(', ')} used`,
          { period: period.from, used },
        ),
      );
      for (const level of [...crossed].sort((a, b) => a - b)) {
        reasons.push(
          reason(
            'cap-warning',
            'CLEAR',
            `Cap '${cap.title}' has reached ${Math.round(level * 100)}% of its limit`,
            {
              period: period.from,
              level,
            },
          ),
        );
      }
      return reasons;
    };
    return { ok: true, reasons: [], commit };
  }

  #state(measure: string, cap: Cap, date: string): CapPeriodState | undefined {
    const period = cap.periods.find((p) => date >= p.from && date < p.to);
    if (!period) return undefined;
    const key = `${measure}/${cap.id}@${period.from}`;
    let state = this.#periods.get(key);
    if (!state) {
      state = { key, measure, cap: cap.id, from: period.from, to: period.to, used: {}, lastDate: '' };
      this.#periods.set(key, state);
    }
    return state;
  }
}
