/** Messages between the main thread and the screening workers (structured-clone plain data). */
import type { Jurisdiction } from '../../core/regime/measure-schema.js';
import type { Regime } from '../../core/regime/regime.js';
import { decisionCsvLine, decisionTableLines } from '../decision-lines.js';
import type { OutputFormat } from '../output.js';
import { type DecisionFormatter, jsonlLine } from './screen-chunk.js';

export type ParallelFormat = Exclude<OutputFormat, 'json'>;

export interface WorkerSetup {
  /** the loaded, validated regime (plain data): workers compile it, without reading YAML again */
  regime: Regime;
  jurisdiction: Jurisdiction;
  asOf: string | undefined;
  /** the data dir to load party lists from; undefined with --no-parties */
  partiesDataDir: string | undefined;
  format: ParallelFormat;
  file: string;
}

export interface ChunkJob {
  seq: number;
  bytes: Uint8Array;
  /** the line the chunk's lines are numbered from: RELATIVE_LINE (parallel-screen.ts), shifted when the chunk is written */
  line: number;
  /** the file's last chunk */
  final: boolean;
}

export function formatterFor(format: ParallelFormat): DecisionFormatter {
  switch (format) {
    case 'jsonl':
      return jsonlLine;
    case 'csv':
      return decisionCsvLine;
    case 'table':
      return decisionTableLines;
  }
}
