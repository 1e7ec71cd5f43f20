/**
 * chart.js served from its npm package (no CDN: the pages' CSP allows scripts from this origin
 * only). The UMD build defines `window.Chart`; read once, on first request.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let chartJs: Promise<string> | undefined;

export function chartJsSource(): Promise<string> {
  // The package's `require` entry is dist/chart.cjs; the UMD bundle sits beside it.
  chartJs ??= readFile(join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  return chartJs;
}
