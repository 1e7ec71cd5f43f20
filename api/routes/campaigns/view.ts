/** A campaign as the API answers it: its row with the counts of its messages and its progress. */
import { campaignMessageCounts, type CampaignRow } from '../../../db/campaigns.js';
import type { Db } from '../../../db/client.js';
import { campaignProgress } from '../../../domain/campaigns.js';

/** `counts` when the caller fetched them for many campaigns at once; else they are read here. */
export async function campaignViewOf(db: Db, row: CampaignRow, counts?: { status: string; n: number }[]) {
  const byStatus = counts ?? (await campaignMessageCounts(db, row.id));
  const n = (s: string) => byStatus.find((x) => x.status === s)?.n ?? 0;
  const total = byStatus.reduce((sum, x) => sum + x.n, 0);
  const pending = n('pending') + n('sending');
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    segment: row.segment,
    ratePerMinute: row.ratePerMinute,
    schedule: row.schedule,
    total,
    sent: n('sent'),
    skipped: n('skipped'),
    failed: n('failed'),
    pending,
    progress: campaignProgress(total, pending, row.status),
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
