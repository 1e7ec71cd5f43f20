/**
 * The production build: `tsx scripts/build.ts [outDir]` (default dist/) compiles the service,
 * copies what it reads at run time (migrations, e-mail templates, page texts) and prebundles the
 * workflow code. The chaos and bench scripts build a fresh copy the same way.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleWorkflows } from './bundle-workflows.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Files the running service reads beside its code (folders relative to the project root). */
const RUNTIME_ASSETS = ['db/migrations', 'emails/templates', 'emails/campaign', 'portal/texts'];

export async function buildDist(outDir: string): Promise<string> {
  const out = resolve(ROOT, outDir);
  rmSync(out, { recursive: true, force: true });
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  await promisify(execFile)(tsc, ['-p', 'tsconfig.build.json', '--outDir', out], { cwd: ROOT, maxBuffer: 64 << 20 });
  for (const asset of RUNTIME_ASSETS) {
    if (existsSync(join(ROOT, asset))) cpSync(join(ROOT, asset), join(out, asset), { recursive: true });
  }
  await bundleWorkflows(join(out, 'workflow-bundle.js'));
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildDist(process.argv[2] ?? 'dist');
  console.log(`built ${out}`);
}
