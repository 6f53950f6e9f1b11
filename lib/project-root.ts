import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root, found from this file's place in `lib/`. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
