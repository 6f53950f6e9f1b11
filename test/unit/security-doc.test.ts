import { existsSync, readFileSync } from 'node:fs';
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

  it('names, for every money control, a test that exists', () => {
    // Prepare
    const section = document.slice(document.indexOf('## 6. Money controls'));
    const rows = [...section.matchAll(/^\| (.+?) \| `([^`]+)` › (.+?) \|$/gm)];

    // Act
    const missing = rows.filter(([, , file, title]) => {
      const path = join(PROJECT_ROOT, file as string);
      if (!existsSync(path)) return true;
      const text = readFileSync(path, 'utf8');
      return !text.includes(`'${title}'`) && !text.includes(`"${title}"`);
    });

    // Assess
    expect(rows.length).toBeGreaterThan(20);
    expect(missing.map(([, control]) => control)).toEqual([]);
  });
});
