import { join } from 'node:path';

/** The course repository's root folder (the instructor repo, or a student edition): every path is made from it. */
export const repoRoot = join(import.meta.dirname, '..');
