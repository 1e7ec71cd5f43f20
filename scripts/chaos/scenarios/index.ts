/** The scenarios, in the order a run takes them (`--only` picks by id). */
import { apiKilledBeforeStart } from './api-killed-before-start.js';
import { postgresDown } from './postgres-down.js';
import { shuffledWebhooks } from './shuffled-webhooks.js';
import { temporalRestart } from './temporal-restart.js';
import { twoOfEach } from './two-of-each.js';
import { workerSigkill } from './worker-sigkill.js';
import type { Scenario } from '../scenario.js';

export const SCENARIOS: Scenario[] = [
  workerSigkill,
  temporalRestart,
  postgresDown,
  shuffledWebhooks,
  apiKilledBeforeStart,
  twoOfEach,
];
