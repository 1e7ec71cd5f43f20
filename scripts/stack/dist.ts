/**
 * The compiled service for a script run: ./dist (built when missing) copied into .cache, so a rebuild
 * by someone else mid-run does not pull it away from under the processes; or, with `build`, a fresh build.
 */
import { cpSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDist } from '../build.js';
import { tempDir } from './processes.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function prepareDist(opts: {
  build: boolean;
  prefix: string;
  log: (msg: string) => void;
}): Promise<string> {
  // Inside the project, so node_modules and package.json ("type": "module") resolve as from dist/.
  const out = join(tempDir(`${opts.prefix}-dist-`, join(ROOT, '.cache')), 'dist');
  if (opts.build) {
    opts.log(`building into ${out}`);
    return buildDist(out);
  }
  const dist = join(ROOT, 'dist');
  if (!existsSync(join(dist, 'runtime', 'api-main.js')) || !existsSync(join(dist, 'workflow-bundle.js'))) {
    opts.log('no dist/: building it');
    await buildDist(dist);
  }
  cpSync(dist, out, { recursive: true });
  return out;
}
