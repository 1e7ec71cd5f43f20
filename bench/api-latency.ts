/** Runs one load job in a second process (bench/load-client.ts) and reads its result. */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { LoadJob, LoadResult } from './load-client.js';

const CLIENT = fileURLToPath(new URL('./load-client.ts', import.meta.url));

export async function runLoad(workDir: string, job: LoadJob): Promise<LoadResult> {
  const file = join(workDir, `load-${job.kind}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(job));
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CLIENT, file], {
    maxBuffer: 256 << 20,
    timeout: (job.seconds + 120) * 1000,
  });
  const last = stdout.trim().split('\n').at(-1)!;
  return JSON.parse(last) as LoadResult;
}
