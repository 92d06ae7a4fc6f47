/**
 * `embargo screen <file> --store`: the declaration reader (src/ingest/declarations) feeding
 * screenIntoStore. The batch id names this file as it is now (absolute path, size, modification
 * time) together with what it is screened under (regime version, jurisdiction, as-of), so running
 * the same command again after a kill resumes that batch, and a changed file is a new batch.
 */
import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { canonicalJson } from '../core/audit/audit-chain.js';
import { requirePermission } from '../core/cases/roles.js';
import { EmbargoError } from '../core/errors.js';
import type { Decision } from '../core/screening/decision.js';
import type { Declaration } from '../core/screening/declaration.js';
import {
  type DeclarationBatch,
  type ParsedDeclaration,
  readDeclarations,
} from '../ingest/declarations/declaration-reader.js';
import type { RowError } from '../ingest/declarations/declaration-row.js';
import { sha256 } from '../store/kysely-store.js';
import { openStore, resolveDbTarget } from '../store/open-store.js';
import type { Store } from '../store/port.js';
import { resolveActor } from './actor-service.js';
import {
  BatchRecorder,
  type BatchSummary,
  type RowResult,
  type Screener,
  type ScreeningRow,
  screenIntoStore,
} from './screening-service.js';
import { StoreWriterThread } from './store-writer.js';

export interface ScreenFileOptions {
  store: Store;
  screener: Screener;
  /** a path, or `-` for stdin (not resumable) */
  file: string;
  actor: string;
  /** what else defines the batch: regime version, jurisdiction, as-of, list versions */
  context: Record<string, unknown>;
  chunkSize?: number;
  format?: 'csv' | 'json' | 'jsonl';
  encoding?: string;
  onResult?: (result: RowResult<RowError>) => void | Promise<void>;
  onNotice?: (message: string) => void;
}

export function batchIdFor(file: string, context: Record<string, unknown>): string | null {
  if (file === '-') return null;
  const path = resolve(file);
  const stat = statSync(path);
  return `b-${sha256(canonicalJson({ path, size: stat.size, mtime: stat.mtimeMs, context })).slice(0, 24)}`;
}

async function* rowsOf(
  source: AsyncIterable<Uint8Array | string>,
  options: ScreenFileOptions,
): AsyncGenerator<ScreeningRow<RowError>> {
  for await (const batch of readDeclarations(source, {
    file: options.file,
    format: options.format,
    encoding: options.encoding,
    onNotice: options.onNotice,
  })) {
    // Keep input order: items and errors of one chunk interleave by line.
    const merged: ({ line: number } & ScreeningRow<RowError>)[] = [
      ...batch.items.map((i: ParsedDeclaration) => ({ line: i.line, declaration: i.declaration })),
      ...batch.errors.map((e) => ({ line: e.line, reject: e })),
    ];
    merged.sort((a, b) => a.line - b.line);
    yield* merged;
  }
}

export async function screenFileIntoStore(options: ScreenFileOptions): Promise<BatchSummary> {
  let batchId: string | null;
  let source: AsyncIterable<Uint8Array | string>;
  if (options.file === '-') {
    batchId = null;
    source = process.stdin;
  } else {
    try {
      batchId = batchIdFor(options.file, options.context);
    } catch (cause) {
      throw new EmbargoError(
        'EMB_FILE_NOT_FOUND',
        `cannot read ${options.file}`,
        { file: options.file },
        { cause },
      );
    }
    source = createReadStream(options.file);
  }
  return screenIntoStore({
    store: options.store,
    screener: options.screener,
    rows: rowsOf(source, options),
    actor: options.actor,
    source: options.file === '-' ? '-' : resolve(options.file),
    batchId,
    chunkSize: options.chunkSize,
    onResult: options.onResult,
  });
}

/**
 * What `embargo screen <file> --store` plugs into its reading loop: each reader batch (one input
 * chunk) is recorded in one transaction and its decisions come back in input order, so the command
 * keeps its own output formats. Open it, `record` every batch, then `finish` (and always `close`).
 * Chunks are written on a writer thread while the next one is screened (docs/decisions.md ST8):
 * `record` returns a chunk's decisions once screened, and a failure to commit it is thrown by the
 * next `record` or by `finish`; either way the store holds whole chunks in input order only, and
 * the same command run again finishes the batch.
 */
export interface ScreeningRecorder {
  record(batch: DeclarationBatch, screen: (declaration: Declaration) => Decision): Promise<Decision[]>;
  finish(): Promise<BatchSummary & { location: string }>;
  close(): Promise<void>;
}

export async function openScreeningRecorder(options: {
  /** `--db` flag */
  db?: string;
  dataDir: () => string;
  /** `--as` or EMBARGO_USER; recorded as the actor (defaults to `cli`) */
  actor?: string;
  /** the input path, or `-` */
  file: string;
  /** regime version, jurisdiction, as-of, list versions: what else identifies the batch */
  context: Record<string, unknown>;
}): Promise<ScreeningRecorder> {
  const target = resolveDbTarget(options.db, options.dataDir);
  const store = await openStore(target);
  let writer: StoreWriterThread | undefined;
  try {
    let actor = 'cli';
    if (options.actor) {
      const resolved = await resolveActor(store, options.actor);
      requirePermission(resolved, 'screen', 'screen into the store');
      actor = resolved.name;
    }
    const batchId = batchIdFor(options.file, options.context);
    let screen: (declaration: Declaration) => Decision = () => {
      throw new Error('screen function not set');
    };
    // Writing runs on its own thread, overlapping the screening of the next chunk (ST8).
    writer = await StoreWriterThread.start(target);
    const recorder = await BatchRecorder.start<RowError>({
      store,
      screener: { screen: (d) => screen(d) },
      actor,
      source: options.file === '-' ? '-' : resolve(options.file),
      batchId,
      writer,
    });
    return {
      async record(batch, screenFn) {
        screen = screenFn;
        const rows: ({ line: number } & ScreeningRow<RowError>)[] = [
          ...batch.items.map((i) => ({ line: i.line, declaration: i.declaration })),
          ...batch.errors.map((e) => ({ line: e.line, reject: e })),
        ];
        rows.sort((a, b) => a.line - b.line);
        return recorder.record(rows);
      },
      async finish() {
        return { ...(await recorder.finish()), location: store.location };
      },
      async close() {
        await writer?.close();
        await store.close();
      },
    };
  } catch (error) {
    await writer?.close();
    await store.close();
    throw error;
  }
}
