/**
 * Reads a regime directory (`regimes/` by default): every `*.yaml` file in it is one instrument
 * with its measures. Each file is parsed, validated against RegimeFileSchema (unknown keys
 * rejected), cross-checked (duplicate ids, references between measures) and deep-frozen. The
 * regime version is a content hash of the files, so every decision names the exact data it used.
 *
 * `checkRegime` returns every problem of a directory at once (for `embargo regime check`);
 * `loadRegime` throws the first one.
 *
 * @example
 *   const regime = loadRegime();            // <repo>/regimes
 *   regime.measures.map((m) => m.measure.id);
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { EmbargoError, type ErrorCode } from '../core/errors.js';
import { type Instrument, type RegimeFile, RegimeFileSchema } from '../core/regime/measure-schema.js';
import { deepFreeze, type Regime, type RegimeMeasure } from '../core/regime/regime.js';
import { type UnitsFile, UnitsFileSchema } from '../core/regime/units-schema.js';
import { PRODUCTS, PURPOSES } from '../core/screening/declaration.js';
import { DEFAULT_REGIME_DIR, UNITS_FILE } from './regime-files.js';

/** Facts whose values form a closed set: a value outside it in a regime file could never match. */
const CLOSED_FACTS: Readonly<Record<string, readonly string[]>> = { purpose: PURPOSES, product: PRODUCTS };

export { DEFAULT_REGIME_DIR, UNITS_FILE } from './regime-files.js';

export interface RegimeCheck {
  /** null when any problem was found */
  regime: Regime | null;
  /** every problem of the directory, in file order */
  errors: EmbargoError[];
  /** the files that were read, sorted by name */
  files: string[];
}

/** Loads and validates a regime directory; throws the first problem as an EmbargoError. */
export function loadRegime(dir: string = DEFAULT_REGIME_DIR): Regime {
  const { regime, errors } = checkRegime(dir);
  if (!regime) {
    const first = errors[0]!;
    if (errors.length > 1)
      first.message += ` (and ${errors.length - 1} more problem(s); run 'embargo regime check')`;
    throw first;
  }
  return regime;
}

interface ParsedFile {
  name: string;
  content: RegimeFile;
  lineOf: (path: readonly (string | number)[]) => number | undefined;
}

/** Validates a regime directory and returns every problem found, without throwing for bad data. */
export function checkRegime(dir: string = DEFAULT_REGIME_DIR): RegimeCheck {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new EmbargoError('EMB_FILE_NOT_FOUND', `regime directory not found: ${dir}`, { file: dir });
  }
  const names = readdirSync(dir)
    .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
    .sort();
  const errors: EmbargoError[] = [];
  const parsed: ParsedFile[] = [];
  const hash = createHash('sha256');
  for (const name of names) {
    const text = readFileSync(join(dir, name), 'utf8');
    hash.update(`${name}\n${text.length}\n${text}\n`);
    const file = parseRegimeText(name, text, errors);
    if (file) parsed.push(file);
  }
  let units: UnitsFile | null = null;
  const unitsPath = join(dir, UNITS_FILE);
  if (existsSync(unitsPath)) {
    const text = readFileSync(unitsPath, 'utf8');
    hash.update(`${UNITS_FILE}\n${text.length}\n${text}\n`);
    units = parseYamlWith(UNITS_FILE, text, UnitsFileSchema, errors)?.content ?? null;
  }
  if (names.length === 0) {
    errors.push(new EmbargoError('EMB_REGIME_INVALID', `no regime files (*.yaml) in ${dir}`, { file: dir }));
  }
  errors.push(...crossCheck(parsed));
  const files = existsSync(unitsPath) ? [...names, UNITS_FILE] : names;
  if (errors.length > 0) return { regime: null, errors, files };

  const measures: RegimeMeasure[] = parsed
    .flatMap((f) =>
      f.content.measures.map((measure) => ({ measure, instrument: f.content.instrument, file: f.name })),
    )
    .sort((a, b) => (a.measure.id < b.measure.id ? -1 : a.measure.id > b.measure.id ? 1 : 0));
  const instruments: Instrument[] = parsed.map((f) => f.content.instrument);
  const regime: Regime = deepFreeze({
    version: `sha256:${hash.digest('hex').slice(0, 12)}`,
    files,
    instruments,
    measures,
    units,
  });
  return { regime, errors, files };
}

/** Parses one regime file's text; pushes problems to `errors` and returns null when it is unusable. */
export function parseRegimeText(name: string, text: string, errors: EmbargoError[]): ParsedFile | null {
  return parseYamlWith(name, text, RegimeFileSchema, errors);
}

function parseYamlWith<S extends z.ZodType>(
  name: string,
  text: string,
  schema: S,
  errors: EmbargoError[],
): { name: string; content: z.infer<S>; lineOf: ParsedFile['lineOf'] } | null {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
  });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = lineCounter.linePos(e.pos[0]);
      errors.push(
        new EmbargoError(
          'EMB_REGIME_YAML',
          `invalid YAML at line ${pos.line}, column ${pos.col}: ${e.message.split('\n')[0]}`,
          { file: name, line: pos.line, column: pos.col },
        ),
      );
    }
    return null;
  }
  const lineOf = (path: readonly (string | number)[]): number | undefined => {
    // walk up the path until a node with a source range is found
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) return lineCounter.linePos(range[0]).line;
    }
    return undefined;
  };
  const result = schema.safeParse(doc.toJS());
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      let code: ErrorCode = 'EMB_REGIME_INVALID';
      let message = issue.message;
      let fullPath = path;
      if (issue.code === 'unrecognized_keys') {
        code = 'EMB_REGIME_UNKNOWN_KEY';
        const keys = (issue as { keys: string[] }).keys;
        message = `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `'${k}'`).join(', ')}`;
        fullPath = [...path, keys[0] ?? ''];
      }
      errors.push(
        new EmbargoError(code, message, {
          file: name,
          line: lineOf(fullPath),
          path: formatPath(path) || '(top level)',
        }),
      );
    }
    return null;
  }
  return { name, content: result.data as z.infer<S>, lineOf };
}

/** `['measures', 2, 'exceptions', 0, 'documents']` → `measures[2].exceptions[0].documents` */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

function crossCheck(files: readonly ParsedFile[]): EmbargoError[] {
  const errors: EmbargoError[] = [];
  const instrumentAt = new Map<string, string>();
  const measureAt = new Map<string, { file: string; exceptions: Set<string>; caps: Set<string> }>();
  const problem = (code: ErrorCode, message: string, file: ParsedFile, path: (string | number)[]) =>
    errors.push(
      new EmbargoError(code, message, { file: file.name, line: file.lineOf(path), path: formatPath(path) }),
    );

  for (const f of files) {
    const inst = f.content.instrument;
    const prior = instrumentAt.get(inst.id);
    if (prior)
      problem('EMB_REGIME_DUPLICATE_ID', `instrument id '${inst.id}' is also used in ${prior}`, f, [
        'instrument',
        'id',
      ]);
    else instrumentAt.set(inst.id, f.name);
    f.content.measures.forEach((m, i) => {
      const previous = measureAt.get(m.id);
      if (previous) {
        problem('EMB_REGIME_DUPLICATE_ID', `measure id '${m.id}' is also used in ${previous.file}`, f, [
          'measures',
          i,
          'id',
        ]);
        return;
      }
      const exceptions = new Set<string>();
      m.exceptions.forEach((e, j) => {
        if (exceptions.has(e.id))
          problem('EMB_REGIME_DUPLICATE_ID', `exception id '${e.id}' is used twice in measure ${m.id}`, f, [
            'measures',
            i,
            'exceptions',
            j,
            'id',
          ]);
        exceptions.add(e.id);
      });
      const caps = new Set<string>();
      m.caps.forEach((c, j) => {
        if (caps.has(c.id))
          problem('EMB_REGIME_DUPLICATE_ID', `cap id '${c.id}' is used twice in measure ${m.id}`, f, [
            'measures',
            i,
            'caps',
            j,
            'id',
          ]);
        caps.add(c.id);
      });
      measureAt.set(m.id, { file: f.name, exceptions, caps });
    });
  }
  for (const f of files) {
    f.content.measures.forEach((m, i) => {
      const own = measureAt.get(m.id);
      m.exceptions.forEach((e, j) => {
        if (e.consumes_cap && !own?.caps.has(e.consumes_cap))
          problem(
            'EMB_REGIME_BAD_REFERENCE',
            `exception '${e.id}' consumes cap '${e.consumes_cap}', which measure ${m.id} does not define`,
            f,
            ['measures', i, 'exceptions', j, 'consumes_cap'],
          );
      });
      m.notifications.forEach((n, j) => {
        (n.exceptions ?? []).forEach((x, k) => {
          if (!own?.exceptions.has(x))
            problem(
              'EMB_REGIME_BAD_REFERENCE',
              `notification refers to exception '${x}', which measure ${m.id} does not define`,
              f,
              ['measures', i, 'notifications', j, 'exceptions', k],
            );
        });
      });
      m.amends.forEach((a, j) => {
        const target = measureAt.get(a.measure);
        if (!target) {
          problem('EMB_REGIME_BAD_REFERENCE', `amends unknown measure '${a.measure}'`, f, [
            'measures',
            i,
            'amends',
            j,
            'measure',
          ]);
          return;
        }
        if (a.action !== 'end' && !(a.exceptions && a.exceptions.length > 0)) {
          problem('EMB_REGIME_INVALID', `action '${a.action}' needs the list of exceptions it changes`, f, [
            'measures',
            i,
            'amends',
            j,
          ]);
        }
        (a.exceptions ?? []).forEach((x, k) => {
          if (!target.exceptions.has(x))
            problem('EMB_REGIME_BAD_REFERENCE', `measure ${a.measure} has no exception '${x}'`, f, [
              'measures',
              i,
              'amends',
              j,
              'exceptions',
              k,
            ]);
        });
        if (a.to && a.to <= a.from)
          problem('EMB_REGIME_INVALID', `amendment ends (${a.to}) on or before it starts (${a.from})`, f, [
            'measures',
            i,
            'amends',
            j,
            'to',
          ]);
      });
      // values of closed-set facts (purpose, product) must be ones a declaration can carry
      const closed = (fact: string, values: readonly string[] | undefined, path: (string | number)[]) => {
        const allowed = CLOSED_FACTS[fact];
        if (!allowed) return;
        (values ?? []).forEach((v, k) => {
          if (!allowed.includes(v.trim().toLowerCase()))
            problem(
              'EMB_REGIME_INVALID',
              `'${v}' is not a ${fact} a declaration can carry (${allowed.join(', ')})`,
              f,
              [...path, k],
            );
        });
      };
      m.goods.forEach((g, gi) => {
        (['include', 'exclude'] as const).forEach((side) => {
          g[side].forEach((c, ci) => {
            const at: (string | number)[] = ['measures', i, 'goods', gi, side, ci];
            if (c.not_when) closed(c.not_when.fact, c.not_when.in, [...at, 'not_when', 'in']);
            if (c.resolved_by) {
              closed(c.resolved_by.fact, c.resolved_by.covered, [...at, 'resolved_by', 'covered']);
              closed(c.resolved_by.fact, c.resolved_by.not_covered, [...at, 'resolved_by', 'not_covered']);
              if (!c.ambiguous)
                problem('EMB_REGIME_INVALID', `resolved_by needs the code to be marked ambiguous`, f, [
                  ...at,
                  'resolved_by',
                ]);
            }
            if (side === 'exclude' && (c.value_above || c.not_when || c.resolved_by))
              problem(
                'EMB_REGIME_INVALID',
                `an excluded code cannot carry value_above, not_when or resolved_by`,
                f,
                at,
              );
          });
        });
      });
      m.exceptions.forEach((e, j) => {
        e.conditions.forEach((c, k) => {
          const at: (string | number)[] = ['measures', i, 'exceptions', j, 'conditions', k];
          closed(c.fact, c.in, [...at, 'in']);
          closed(c.fact, c.not_in, [...at, 'not_in']);
        });
      });
      if (m.effective_to && m.effective_to <= m.effective_from)
        problem('EMB_REGIME_INVALID', `effective_to (${m.effective_to}) is not after effective_from`, f, [
          'measures',
          i,
          'effective_to',
        ]);
    });
  }
  return errors;
}
