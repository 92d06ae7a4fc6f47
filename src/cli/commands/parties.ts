/**
 * `embargo parties search "<name>"` and `embargo parties match <file>`: screen names against the
 * default list plus every imported list. The index is built once per call and reused for every
 * query of a file. Thresholds resolve once: flag, then EMBARGO_MATCH_THRESHOLD /
 * EMBARGO_REVIEW_THRESHOLD, then the defaults (docs/decisions.md P4).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { EmbargoError } from '../../core/errors.js';
import type { PartyHit, PartyIndex } from '../../core/parties/party-index.js';
import { DEFAULT_THRESHOLDS, type MatchThresholds } from '../../core/parties/party-matcher.js';
import { PARTY_TYPES, type PartyType } from '../../core/parties/party-model.js';
import { splitCsvRecords } from '../../ingest/lists/csv-records.js';
import { decodeUtf8 } from '../../ingest/lists/list-source.js';
import { loadPartyIndex } from '../../ingest/lists/party-check-loader.js';
import { resolveDataDir } from '../config.js';
import { formatRows, parseFormat, type Row } from '../output.js';

function parseScore(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1) {
    throw new EmbargoError('EMB_USAGE', `${what} must be a number in (0, 1], got '${value}'`);
  }
  return n;
}

/** Flag, then environment, then default; checked once. */
export function resolveThresholds(
  flags: { matchThreshold?: string; reviewThreshold?: string },
  env: NodeJS.ProcessEnv = process.env,
): MatchThresholds {
  const match =
    parseScore(flags.matchThreshold, '--match-threshold') ??
    parseScore(env.EMBARGO_MATCH_THRESHOLD, 'EMBARGO_MATCH_THRESHOLD') ??
    DEFAULT_THRESHOLDS.match;
  const review =
    parseScore(flags.reviewThreshold, '--review-threshold') ??
    parseScore(env.EMBARGO_REVIEW_THRESHOLD, 'EMBARGO_REVIEW_THRESHOLD') ??
    Math.min(DEFAULT_THRESHOLDS.review, match);
  if (review > match) {
    throw new EmbargoError(
      'EMB_USAGE',
      `the review threshold (${review}) must not exceed the match threshold (${match})`,
    );
  }
  return { match, review };
}

export function parseType(value: string | undefined): PartyType | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(PARTY_TYPES as readonly string[]).includes(value)) {
    throw new EmbargoError(
      'EMB_USAGE',
      `unknown party type '${value}'; expected one of ${PARTY_TYPES.join(', ')}`,
    );
  }
  return value as PartyType;
}

const inUse = (hit: PartyHit) =>
  hit.matched.from || hit.matched.to ? `${hit.matched.from ?? '?'}–${hit.matched.to ?? 'now'}` : '';

/** One table / CSV row per hit. */
export function hitRow(hit: PartyHit): Row {
  return {
    score: hit.score.toFixed(3),
    status: hit.status === 'match' && hit.action === 'watch' ? 'match (watch)' : hit.status,
    reference: hit.reference,
    type: hit.type,
    name: hit.primaryName,
    matched: hit.matched.name,
    kind: hit.matched.kind,
    in_use: inUse(hit),
    list: hit.list.id,
    published: hit.list.published,
    hash: hit.list.hash.slice(0, 12),
  };
}

/** Compact form of a hit inside a `parties match` result line. */
function compactHit(hit: PartyHit): Row {
  return {
    reference: hit.reference,
    list: hit.list.id,
    list_published: hit.list.published,
    list_hash: hit.list.hash,
    name: hit.primaryName,
    matched: hit.matched.name,
    kind: hit.matched.kind,
    ...(hit.matched.from ? { from: hit.matched.from } : {}),
    ...(hit.matched.to ? { to: hit.matched.to } : {}),
    normalized_query: hit.query.normalized,
    normalized_name: hit.matched.normalized,
    score: hit.score,
    status: hit.status,
    action: hit.action,
    components: hit.components,
  };
}

interface Query {
  id: string;
  name: string;
  type?: PartyType;
  line: number;
}

/** Reads `id,name,type` queries from CSV (header row) or JSON lines; bad lines are errors, not fatal. */
export function readQueries(path: string): { queries: Query[]; errors: EmbargoError[] } {
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new EmbargoError('EMB_FILE_NOT_FOUND', `query file not found: ${path}`, { file: path });
  }
  const text = decodeUtf8(readFileSync(path), path);
  const queries: Query[] = [];
  const errors: EmbargoError[] = [];
  const jsonLines = /\.(jsonl|ndjson|json)$/i.test(path) || /^\s*\{/.test(text);
  if (jsonLines) {
    text.split(/\r?\n/).forEach((raw, i) => {
      if (!raw.trim()) return;
      try {
        const value = JSON.parse(raw) as { id?: unknown; name?: unknown; type?: unknown };
        if (typeof value.name !== 'string' || !value.name.trim()) throw new Error("missing 'name'");
        const type = parseType(typeof value.type === 'string' ? value.type : undefined);
        queries.push({
          id: value.id === undefined ? String(i + 1) : String(value.id),
          name: value.name,
          ...(type ? { type } : {}),
          line: i + 1,
        });
      } catch (cause) {
        errors.push(
          new EmbargoError(
            'EMB_JSON_MALFORMED',
            (cause as Error).message,
            { file: path, line: i + 1 },
            { cause },
          ),
        );
      }
    });
    return { queries, errors };
  }
  const { records, bad } = splitCsvRecords(text);
  for (const b of bad)
    errors.push(new EmbargoError('EMB_CSV_MALFORMED', b.reason, { file: path, line: b.line }));
  const header = records.shift()?.fields.map((f) => f.trim().toLowerCase()) ?? [];
  const at = (name: string) => header.indexOf(name);
  if (at('name') < 0) {
    throw new EmbargoError(
      'EMB_USAGE',
      "the query file needs a header row with a 'name' column (id,name,type)",
      {
        file: path,
        line: 1,
      },
    );
  }
  for (const { fields, line } of records) {
    const name = fields[at('name')]?.trim() ?? '';
    if (!name) {
      errors.push(new EmbargoError('EMB_CSV_MALFORMED', 'empty name', { file: path, line, field: 'name' }));
      continue;
    }
    try {
      const type = at('type') >= 0 ? parseType(fields[at('type')]?.trim()) : undefined;
      queries.push({
        id: (at('id') >= 0 ? fields[at('id')]?.trim() : undefined) || String(line),
        name,
        ...(type ? { type } : {}),
        line,
      });
    } catch (error) {
      errors.push(
        new EmbargoError('EMB_CSV_MALFORMED', (error as Error).message, { file: path, line, field: 'type' }),
      );
    }
  }
  return { queries, errors };
}

function buildIndex(flags: {
  dataDir?: string;
  matchThreshold?: string;
  reviewThreshold?: string;
}): PartyIndex {
  return loadPartyIndex(resolveDataDir(flags.dataDir), { thresholds: resolveThresholds(flags) });
}

interface SearchFlags {
  type?: string;
  threshold?: string;
  matchThreshold?: string;
  reviewThreshold?: string;
  limit: string;
  format?: string;
  dataDir?: string;
}

export function register(program: Command): void {
  const parties = program
    .command('parties')
    .description('Screen names against the party lists (UN, OFAC, own)');

  parties
    .command('search')
    .description('Find listed parties resembling a name; every hit shows its list, source date and hash')
    .argument('<name>', 'a person, company or vessel name, in Latin letters, Hangul or Hanzi')
    .option('--type <type>', 'person, entity or vessel')
    .option('--threshold <score>', 'lowest score listed (default: the review threshold)')
    .option(
      '--match-threshold <score>',
      `score from which a party is designated (default ${DEFAULT_THRESHOLDS.match})`,
    )
    .option(
      '--review-threshold <score>',
      `score from which a hit is held for review (default ${DEFAULT_THRESHOLDS.review})`,
    )
    .option('--limit <n>', 'most hits shown', '10')
    .option('--format <format>', 'table, json, jsonl or csv', 'table')
    .option('--data-dir <dir>', 'where imported lists live (default: EMBARGO_HOME or the XDG data dir)')
    .action((name: string, flags: SearchFlags) => {
      const format = parseFormat(flags.format);
      const type = parseType(flags.type);
      const threshold = parseScore(flags.threshold, '--threshold');
      const limit = Number.parseInt(flags.limit, 10);
      if (!Number.isInteger(limit) || limit < 1)
        throw new EmbargoError('EMB_USAGE', `--limit must be a positive integer`);
      const index = buildIndex(flags);
      const hits = index.search(name, {
        ...(type ? { type } : {}),
        ...(threshold ? { threshold } : {}),
        limit,
      });
      const imoHits = /^\s*(IMO)?[\s:]*\d{7}\s*$/i.test(name) ? index.searchImo(name) : [];
      const all = [...imoHits, ...hits.filter((h) => !imoHits.some((i) => i.entityId === h.entityId))];
      if (format === 'json' || format === 'jsonl')
        process.stdout.write(formatRows(all as unknown as Row[], format));
      else process.stdout.write(formatRows(all.map(hitRow), format));
      process.stderr.write(
        `${all.length} hit(s) for "${name}" (normalised: ${all[0]?.query.normalized ?? '—'}) against ${index.lists.length} list(s); match ≥ ${index.thresholds.match}, review ≥ ${index.thresholds.review}\n`,
      );
    });

  parties
    .command('match')
    .description('Screen a file of names (CSV with id,name,type or JSON lines): one result line per query')
    .argument('<file>', 'CSV with a header row (id,name,type) or JSON lines ({"id","name","type"})')
    .option('--threshold <score>', 'lowest score reported (default: the review threshold)')
    .option(
      '--match-threshold <score>',
      `score from which a party is designated (default ${DEFAULT_THRESHOLDS.match})`,
    )
    .option(
      '--review-threshold <score>',
      `score from which a hit is held for review (default ${DEFAULT_THRESHOLDS.review})`,
    )
    .option('--hits <n>', 'best hits kept per query', '3')
    .option('--format <format>', 'jsonl, json, csv or table', 'jsonl')
    .option('--data-dir <dir>', 'where imported lists live (default: EMBARGO_HOME or the XDG data dir)')
    .action((file: string, flags: SearchFlags & { hits: string }) => {
      const format = parseFormat(flags.format);
      const threshold = parseScore(flags.threshold, '--threshold');
      const keep = Number.parseInt(flags.hits, 10);
      if (!Number.isInteger(keep) || keep < 1)
        throw new EmbargoError('EMB_USAGE', `--hits must be a positive integer`);
      const { queries, errors } = readQueries(file);
      const index = buildIndex(flags);
      const counts = { match: 0, review: 0, none: 0 };
      const rows: Row[] = queries.map((q) => {
        const hits = index.search(q.name, {
          ...(q.type ? { type: q.type } : {}),
          ...(threshold ? { threshold } : {}),
          limit: keep,
        });
        const best = hits[0];
        const status = best ? best.status : 'none';
        counts[status]++;
        if (format === 'json' || format === 'jsonl') {
          return {
            id: q.id,
            name: q.name,
            type: q.type ?? null,
            status,
            best_score: best?.score ?? 0,
            hits: hits.map(compactHit),
          };
        }
        return {
          id: q.id,
          name: q.name,
          status,
          best_score: best ? best.score.toFixed(3) : '',
          reference: best?.reference ?? '',
          matched: best?.matched.name ?? '',
          kind: best?.matched.kind ?? '',
          list: best ? `${best.list.id}@${best.list.published}` : '',
          others: hits.slice(1).map((h) => `${h.reference} ${h.score.toFixed(2)}`),
        };
      });
      process.stdout.write(formatRows(rows, format));
      for (const error of errors.slice(0, 10)) {
        process.stderr.write(`rejected: ${error.details?.file}:${error.details?.line}: ${error.message}\n`);
      }
      process.stderr.write(
        `${queries.length} quer(ies): ${counts.match} match, ${counts.review} review, ${counts.none} none; ${errors.length} rejected line(s)\n`,
      );
      if (errors.length > 0) process.exitCode = 3;
    });
}
