import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withCurrentMatrix } from '../lib/iam-matrix.ts';
import { PROJECT_ROOT } from '../lib/project-root.ts';

/** Rewrites the generated IAM matrix in docs/security.md from the catalog. */
const file = join(PROJECT_ROOT, 'docs', 'security.md');
writeFileSync(file, withCurrentMatrix(readFileSync(file, 'utf8')));
process.stdout.write(`updated ${file}\n`);
