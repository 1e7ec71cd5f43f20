/**
 * What one bench run does: its flags, its sizes (`--quick` or the issue's, each overridable by a
 * BENCH_* variable), the parts it runs, and the ids that keep its data apart from earlier runs'.
 */

/** The bench's parts; `--only a,b` runs those (and what they need), the rest of the run is skipped. */
export const PARTS = ['lifecycle', 'api', 'webhooks', 'stuck-list', 'worker'] as const;
export type Part = (typeof PARTS)[number];

/** What a part needs from another: the API latency run reads the lifecycle's cases. */
const NEEDS: Partial<Record<Part, Part[]>> = { api: ['lifecycle'] };

export interface BenchOptions {
  quick: boolean;
  scale: boolean;
  profile: boolean;
  keep: boolean;
  build: boolean;
  parts: ReadonlySet<Part>;
  sizes: Sizes;
  run: RunIds;
}

export type Sizes = ReturnType<typeof sizesOf>;

function sizesOf(quick: boolean, env: NodeJS.ProcessEnv) {
  const n = (name: string, fallback: number) => Number(env[name] ?? fallback);
  return {
    lifecycleCases: n('BENCH_CASES', quick ? 40 : 200),
    concurrency: n('BENCH_CONCURRENCY', 20),
    rate: n('BENCH_RATE', 200),
    loadSeconds: n('BENCH_LOAD_SECONDS', quick ? 5 : 30),
    webhookSeconds: n('BENCH_WEBHOOK_SECONDS', quick ? 5 : 20),
    seededCases: n('BENCH_SEEDED_CASES', quick ? 20_000 : 100_000),
    openCases: n('BENCH_OPEN_CASES', quick ? 2_000 : 10_000),
    /** POST /v1/returns in flight at once while opening them. */
    openConcurrency: n('BENCH_OPEN_CONCURRENCY', 20),
    /** How long the worker gets to take in the open cases before its RSS is read. */
    drainSeconds: n('BENCH_DRAIN_SECONDS', quick ? 30 : 900),
  };
}

export interface RunIds {
  /** Unique per run: a prefix of every id the run makes. */
  id: string;
  sku: string;
  baselineQueue: string;
  /** Prefix of the fresh orders (seeded in SQL) that POST /v1/returns opens cases for. */
  fresh: string;
}

function runIds(): RunIds {
  const id = Date.now().toString(36).toUpperCase();
  return { id, sku: `BENCH-${id}-SKU`, baselineQueue: `bench-baseline-${id}`, fresh: `${id}N` };
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const quick = argv.includes('--quick');
  const only = argv.find((a) => a.startsWith('--only'));
  let parts = new Set<Part>(PARTS);
  if (only) {
    const value = only.includes('=') ? only.slice('--only='.length) : argv[argv.indexOf(only) + 1];
    const named = (value ?? '').split(',').filter(Boolean);
    const unknown = named.filter((p) => !(PARTS as readonly string[]).includes(p));
    if (!named.length || unknown.length)
      throw new Error(`--only takes a comma-separated list of ${PARTS.join(', ')} (not ${unknown.join(', ')})`);
    parts = new Set(named as Part[]);
    for (const p of [...parts]) for (const need of NEEDS[p] ?? []) parts.add(need);
  }
  return {
    quick,
    scale: argv.includes('--scale'),
    profile: argv.includes('--profile'),
    keep: argv.includes('--keep'),
    build: argv.includes('--build'),
    parts,
    sizes: sizesOf(quick, env),
    run: runIds(),
  };
}

/** Fresh orders for POST /v1/returns: the rate run's (with a margin), then the open cases for the RSS reading. */
export const rateOrders = (s: Sizes) => Math.ceil(s.rate * s.loadSeconds * 1.2);
export function freshOrderCount(o: BenchOptions): number {
  return (o.parts.has('api') ? rateOrders(o.sizes) : 0) + (o.parts.has('worker') ? o.sizes.openCases : 0);
}
