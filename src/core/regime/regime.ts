/**
 * A loaded regime: every instrument and measure of a `regimes/` directory, validated and frozen.
 * The loader (src/ingest/regime-loader.ts) builds it; the engine (compile.ts) indexes it.
 */
import type { Instrument, Measure } from './measure-schema.js';
import type { UnitsFile } from './units-schema.js';

export interface RegimeMeasure {
  /** the measure exactly as its file states it */
  measure: Measure;
  /** the instrument of the file the measure lives in */
  instrument: Instrument;
  /** file name relative to the regime directory, e.g. `un-2270-2016.yaml` */
  file: string;
}

export interface Regime {
  /** `sha256:` + the first 12 hex digits of the hash over the loaded files (names and contents) */
  version: string;
  /** the files the version covers, sorted by name */
  files: readonly string[];
  instruments: readonly Instrument[];
  /** sorted by measure id */
  measures: readonly RegimeMeasure[];
  /** unit conversions for caps, if the directory carries `conversions/units.yaml` */
  units: UnitsFile | null;
}

/** Finds a measure by id; `undefined` when there is none. */
export function findMeasure(regime: Regime, id: string): RegimeMeasure | undefined {
  return regime.measures.find((m) => m.measure.id === id);
}

/** Citation of a measure for people, e.g. `UNSCR 2270 (2016), para 29 (para UNCONFIRMED)`. */
export function citationOf(instrument: Instrument, measure: Measure, paragraph?: string): string {
  const label = instrument.jurisdiction === 'UN' ? 'para' : 'item';
  const para = paragraph ?? measure.paragraph;
  const unconfirmed = measure.paragraph_confirmed ? '' : ` (${label} UNCONFIRMED)`;
  return `${instrument.title}, ${label} ${para}${unconfirmed}`;
}

/** Freezes a value and everything reachable from it: loaded data is never mutated afterwards. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
