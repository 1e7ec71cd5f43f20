/** The opening transaction, as the steps that run inside it receive it. */
import type { Db } from '../db/client.js';

export type CaseTx = Parameters<Parameters<Db['transaction']>[0]>[0];
