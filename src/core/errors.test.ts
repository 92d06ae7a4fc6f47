import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeLocation, EmbargoError, ERROR_CODES } from './errors.js';

describe('error codes', () => {
  it('are documented one-for-one in docs/errors.md', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^## (EMB_[A-Z0-9_]+)/gm)].map((m) => m[1]);
    expect([...documented].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('carry their code and location', () => {
    const error = new EmbargoError('EMB_DECLARATION_INVALID', 'bad date', {
      file: 'a.csv',
      line: 3,
      field: 'date',
    });
    expect(error.code).toBe('EMB_DECLARATION_INVALID');
    expect(describeLocation(error.details)).toBe("a.csv:3 field 'date'");
  });
});
