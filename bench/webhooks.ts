/** Carrier webhook ingestion: signed generic-carrier events as fast as the API takes them, from a second process. */
import { runLoad } from './api-latency.js';
import { ADMIN_API_KEY, GENERIC_SECRET } from './stack.js';

export async function benchWebhooks(workDir: string, url: string, seconds: number) {
  const r = await runLoad(workDir, {
    url,
    kind: 'webhook',
    seconds,
    connections: 16,
    adminKey: ADMIN_API_KEY,
    webhookSecret: GENERIC_SECRET,
    items: [],
  });
  return { ...r, eventsPerSec: Math.round((r.ok / seconds) * 10) / 10 };
}
