import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root, whatever the working directory (tests, `cdk synth`, an IDE). */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

export const projectPath = (relative: string) => join(projectRoot, relative);
