import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogFunctions } from '../../lib/catalog.ts';
import { renderIamMatrix, withCurrentMatrix } from '../../lib/iam-matrix.ts';
import { PROJECT_ROOT } from '../../lib/project-root.ts';

describe('docs/security.md', () => {
  const document = readFileSync(join(PROJECT_ROOT, 'docs', 'security.md'), 'utf8');

  it('carries the IAM matrix of the current catalog (run `npm run docs:iam` after changing it)', () => {
    expect(withCurrentMatrix(document)).toBe(document);
  });

  it('lists every function of the catalog', () => {
    for (const fn of catalogFunctions()) expect(renderIamMatrix()).toContain(`| ${fn.id} |`);
  });
});
