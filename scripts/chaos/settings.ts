/** What one chaos run is told (argv, environment) and the secrets its processes share. */
import { randomBytes } from 'node:crypto';
import { logger } from '../stack/processes.js';

const args = process.argv.slice(2);
export const QUICK = args.includes('--quick');
export const KEEP = args.includes('--keep');
/** Build dist afresh for this run (into a temp dir), instead of using ./dist: what the test suite does. */
export const BUILD = args.includes('--build');
const onlyArg = args.find((a) => a.startsWith('--only'));
export const ONLY = onlyArg
  ? new Set((onlyArg.includes('=') ? onlyArg.split('=')[1]! : args[args.indexOf(onlyArg) + 1]!).split(','))
  : undefined;
export const CASES = Number(process.env.CHAOS_CASES ?? (QUICK ? 24 : 200));
export const CONCURRENCY = Number(process.env.CHAOS_CONCURRENCY ?? (QUICK ? 6 : 12));
/** From a scenario's start: a case not completed by then is lost. */
export const DEADLINE_MS = (QUICK ? 4 : 15) * 60_000;
/** The policy market of the chaos customers (the test suite runs it beside other tests: its own market). */
export const MARKET = process.env.CHAOS_MARKET ?? 'IS';
export const RUN = randomBytes(3).toString('hex');
export const ADMIN_API_KEY = `chaos-admin-${randomBytes(24).toString('base64url')}`;
export const LINK_SECRET = randomBytes(32).toString('base64url');
export const GENERIC_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

export const rand = (min: number, max: number) => min + Math.random() * (max - min);
export const log = logger('chaos');
