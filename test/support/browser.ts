/**
 * A real browser for page tests: Debian's chromium driven by playwright-core (no browser download
 * exists here). CHROMIUM_PATH overrides where it is; screenshots go to test/artifacts/ (kept by CI
 * as artifacts, ignored by git).
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error('no chromium found: apt-get install chromium, or set CHROMIUM_PATH');
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'] });
}

export const ARTIFACTS_DIR = resolve(import.meta.dirname, '..', 'artifacts');

/** Saves a full-page screenshot as test/artifacts/<suite>/<step>.png. */
export async function screenshot(page: Page, suite: string, step: string): Promise<string> {
  const dir = join(ARTIFACTS_DIR, suite);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${step}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Serves an app on 127.0.0.1 (a free port) for the browser; `close` stops it. */
export async function serveOnLoopback(
  fetch: (req: Request) => Response | Promise<Response>,
): Promise<{ base: string; close: () => Promise<void> }> {
  const server = serve({ fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
