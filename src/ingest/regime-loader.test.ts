import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRegime, DEFAULT_REGIME_DIR, formatPath, loadRegime } from './regime-loader.js';

const OWN_FILES = ['un-2270-2016.yaml', 'cn-mofcom-11-2016.yaml'];

/** A temp regime dir holding only the given files (copied from regimes/ or written inline). */
function regimeDir(files: Record<string, string | null>): string {
  const dir = mkdtempSync(join(tmpdir(), 'embargo-regime-'));
  for (const [name, text] of Object.entries(files)) {
    if (text === null) copyFileSync(join(DEFAULT_REGIME_DIR, name), join(dir, name));
    else writeFileSync(join(dir, name), text);
  }
  return dir;
}

const original = (name: string) => readFileSync(join(DEFAULT_REGIME_DIR, name), 'utf8');

describe('regime loader', () => {
  it('loads the shipped regime directory with the 2016 measures, frozen', () => {
    const regime = loadRegime();
    const ids = regime.measures.map((m) => m.measure.id);
    for (const id of [
      'UN-2270-OP29',
      'UN-2270-OP30',
      'UN-2270-OP31',
      'CN-MOFCOM-11-2016-1',
      'CN-MOFCOM-11-2016-2',
      'CN-MOFCOM-11-2016-3',
    ])
      expect(ids).toContain(id);
    expect(regime.version).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(Object.isFrozen(regime.measures[0]!.measure.goods)).toBe(true);
    expect(regime.units?.products.map((p) => p.id)).toContain('crude-oil');
  });

  it('computes the version from file names and contents, independent of anything else', () => {
    const a = loadRegime(regimeDir({ 'un-2270-2016.yaml': null, 'cn-mofcom-11-2016.yaml': null }));
    const b = loadRegime(regimeDir({ 'cn-mofcom-11-2016.yaml': null, 'un-2270-2016.yaml': null }));
    expect(a.version).toBe(b.version);
    const changed = loadRegime(
      regimeDir({
        'un-2270-2016.yaml': `${original('un-2270-2016.yaml')}\n# a comment changes the content\n`,
        'cn-mofcom-11-2016.yaml': null,
      }),
    );
    expect(changed.version).not.toBe(a.version);
    const renamed = loadRegime(
      regimeDir({ 'un-2270.yaml': original('un-2270-2016.yaml'), 'cn-mofcom-11-2016.yaml': null }),
    );
    expect(renamed.version).not.toBe(a.version);
  });

  it('reports a YAML syntax error with file, line and column', () => {
    const dir = regimeDir({ 'bad.yaml': 'instrument:\n  id: [unclosed\nmeasures: []\n' });
    const { regime, errors } = checkRegime(dir);
    expect(regime).toBeNull();
    expect(errors[0]?.code).toBe('EMB_REGIME_YAML');
    expect(errors[0]?.details?.file).toBe('bad.yaml');
    expect(errors[0]?.details?.line).toBeGreaterThan(1);
    expect(errors[0]?.details?.column).toBeGreaterThan(0);
  });

  it('rejects an unknown key, naming the path inside the file and its line', () => {
    const text = original('cn-mofcom-11-2016.yaml').replace(
      'documents: [commitment-letter-transit, certificate-of-origin]',
      'documents: [commitment-letter-transit, certificate-of-origin]\n        documnets_extra: [x]',
    );
    const { errors } = checkRegime(regimeDir({ 'cn.yaml': text }));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe('EMB_REGIME_UNKNOWN_KEY');
    expect(errors[0]?.message).toContain("'documnets_extra'");
    expect(errors[0]?.details?.path).toBe('measures[0].exceptions[1]');
    const lines = text.split('\n');
    expect(lines[(errors[0]?.details?.line ?? 0) - 1]).toContain('documnets_extra');
  });

  it('reports schema violations with the path inside the file', () => {
    const text = original('cn-mofcom-11-2016.yaml').replace(
      'documents: [commitment-letter-transit, certificate-of-origin]',
      'documents: commitment-letter-transit',
    );
    const { errors } = checkRegime(regimeDir({ 'cn.yaml': text }));
    expect(errors.map((e) => [e.code, e.details?.path])).toEqual([
      ['EMB_REGIME_INVALID', 'measures[0].exceptions[1].documents'],
    ]);
  });

  it('returns every problem of a directory at once', () => {
    const dir = regimeDir({
      'a.yaml': 'instrument: {}\n',
      'b.yaml': 'x: [\n',
      'un-2270-2016.yaml': null,
      'un-copy.yaml': original('un-2270-2016.yaml'),
    });
    const { errors } = checkRegime(dir);
    const codes = errors.map((e) => `${e.details?.file}:${e.code}`);
    expect(codes).toContain('a.yaml:EMB_REGIME_INVALID');
    expect(codes).toContain('b.yaml:EMB_REGIME_YAML');
    expect(codes).toContain('un-copy.yaml:EMB_REGIME_DUPLICATE_ID');
    expect(() => loadRegime(dir)).toThrow(/more problem/);
  });

  it('rejects references to measures, exceptions and caps that do not exist', () => {
    const amend = `instrument:
  id: TEST-AMEND
  title: Test
  issuer: Test
  number: "1"
  adopted: "2016-12-01"
  url: https://example.org/
  jurisdiction: UN
measures:
  - id: TEST-AMEND-1
    title: t
    paragraph: "1"
    paragraph_confirmed: true
    direction: import
    target: KP
    summary: s
    goods: [{ label: x, include: [{ code: "2701", source: analyst, confirmed: false }] }]
    effective_from: "2016-12-01"
    exceptions:
      - id: e
        title: e
        conditions: [{ fact: purpose, in: [livelihood] }]
        consumes_cap: no-such-cap
    amends:
      - { measure: NO-SUCH-MEASURE, action: end, from: "2016-12-01" }
      - { measure: UN-2270-OP29, action: end-exceptions, exceptions: [no-such-exception], from: "2016-12-01" }
    citations: [{ source: TEST }]
`;
    const { errors } = checkRegime(regimeDir({ 'un-2270-2016.yaml': null, 'test.yaml': amend }));
    expect(errors.map((e) => [e.code, e.details?.path])).toEqual([
      ['EMB_REGIME_BAD_REFERENCE', 'measures[0].exceptions[0].consumes_cap'],
      ['EMB_REGIME_BAD_REFERENCE', 'measures[0].amends[0].measure'],
      ['EMB_REGIME_BAD_REFERENCE', 'measures[0].amends[1].exceptions[0]'],
    ]);
  });

  it('rejects purposes and products a declaration cannot carry, and gates on excluded codes', () => {
    const text = `instrument:
  id: TEST-CLOSED
  title: Test
  issuer: Test
  number: "1"
  adopted: "2016-12-01"
  url: https://example.org/
  jurisdiction: UN
measures:
  - id: TEST-CLOSED-1
    title: t
    paragraph: "1"
    paragraph_confirmed: true
    direction: export
    target: KP
    summary: s
    goods:
      - label: x
        include:
          - { code: "2709", source: analyst, confirmed: false, not_when: { fact: product, in: [condensat] } }
          - { code: "2711", source: analyst, confirmed: false, resolved_by: { fact: product, covered: [condensate], not_covered: [crude-oil] } }
        exclude:
          - { code: "271111", source: analyst, confirmed: false, value_above: { amount: 10, currency: USD } }
    effective_from: "2016-12-01"
    exceptions:
      - id: e
        title: e
        conditions: [{ fact: purpose, in: [Livelihood, aircraft-parts] }]
    citations: [{ source: TEST }]
`;
    const { errors } = checkRegime(regimeDir({ 'test.yaml': text }));
    expect(errors.map((e) => [e.code, e.details?.path, e.details?.line])).toEqual([
      ['EMB_REGIME_INVALID', 'measures[0].goods[0].include[0].not_when.in[0]', 20],
      ['EMB_REGIME_INVALID', 'measures[0].goods[0].include[1].resolved_by', 21],
      ['EMB_REGIME_INVALID', 'measures[0].goods[0].exclude[0]', 23],
      ['EMB_REGIME_INVALID', 'measures[0].exceptions[0].conditions[0].in[1]', 28],
    ]);
    expect(errors[0]?.message).toMatch(/'condensat' is not a product a declaration can carry/);
  });

  it('validates the unit-conversion table with its own schema', () => {
    const dir = regimeDir({ 'un-2270-2016.yaml': null });
    mkdirSync(join(dir, 'conversions'));
    writeFileSync(join(dir, 'conversions', 'units.yaml'), 'title: x\ncitations: []\nunits: []\nextra: 1\n');
    const { errors } = checkRegime(dir);
    expect(errors.map((e) => e.code).sort()).toEqual([
      'EMB_REGIME_INVALID',
      'EMB_REGIME_INVALID',
      'EMB_REGIME_UNKNOWN_KEY',
    ]);
    expect(errors.every((e) => e.details?.file === join('conversions', 'units.yaml'))).toBe(true);
  });

  it('fails clearly for a missing directory and an empty one', () => {
    expect(() => loadRegime('/nonexistent/regimes')).toThrow(/not found/);
    expect(checkRegime(regimeDir({})).errors[0]?.message).toMatch(/no regime files/);
  });

  it('formats paths the way people read them', () => {
    expect(formatPath(['measures', 2, 'exceptions', 0, 'documents'])).toBe(
      'measures[2].exceptions[0].documents',
    );
  });

  it('marks every analyst HS mapping of the 2016 files as unconfirmed', () => {
    const regime = loadRegime(regimeDir(Object.fromEntries(OWN_FILES.map((f) => [f, null]))));
    const analyst = regime.measures.flatMap((m) =>
      m.measure.goods.flatMap((g) => g.include).filter((c) => c.source === 'analyst'),
    );
    expect(analyst.length).toBeGreaterThan(5);
    expect(analyst.every((c) => c.confirmed === false)).toBe(true);
  });
});
