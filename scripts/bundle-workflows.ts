/** Bundles workflow code ahead of time (production workers start without webpack). Usage: tsx scripts/bundle-workflows.ts [out] */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

export async function bundleWorkflows(out: string): Promise<string> {
  const workflowsPath = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'workflows', 'index.ts');
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: undefined });
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, code);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  await bundleWorkflows(out);
  console.log(`workflow bundle written to ${out}`);
}
