/**
 * The fixed baseline of the lifecycle bench: a bare workflow of the shape of one completed
 * return_to_stock case, with no-op activities. Its shape is FIXED on purpose — the shape today's case
 * had when the bench was written — so a case that does the same work in fewer round trips shows as a
 * gain against it. Do not change it to follow the product.
 *
 * Shape (counted from a completed case's history, v1 return_to_stock with a PT1S follow-up):
 * - 16 activities, one at a time: 4 before the label is out (record started, projection, label,
 *   e-mail), 4 at receipt, 4 at inspection, 3 settling (stock, credit note, refund), 1 follow-up e-mail
 * - 1 signal (the parcel scan), 1 update (the inspection), each awaited with a deadline
 * - 4 search-attribute upserts (waiting for parcel, waiting for inspection, settling, completed)
 * - a 1 s follow-up timer before the last activity
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import {
  condition,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';

export const BASELINE_SHAPE = {
  activities: 16,
  signals: 1,
  updates: 1,
  searchAttributeUpserts: 4,
  followUpTimerMs: 1000,
} as const;

export const baselineParcel = defineSignal<[{ trackingNumber: string }]>('parcelReceived');
export const baselineInspect = defineUpdate<string, [{ condition: string }]>('inspect');

const ReturnStatus = defineSearchAttributeKey('ReturnStatus', SearchAttributeType.KEYWORD);
const WaitingFor = defineSearchAttributeKey('WaitingFor', SearchAttributeType.KEYWORD);

export interface BaselineActivities {
  step(input: { caseId: string; step: string }): Promise<{ ok: true }>;
}

const { step } = proxyActivities<BaselineActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

async function steps(caseId: string, names: string[]): Promise<void> {
  for (const name of names) await step({ caseId, step: name });
}

export async function baselineCase(caseId: string): Promise<string> {
  let parcel = false;
  let inspected = false;
  setHandler(baselineParcel, () => void (parcel = true));
  // The driver sends scan and inspection at once: the inspection waits for the parcel, as a dock would.
  setHandler(baselineInspect, async () => {
    await condition(() => parcel);
    inspected = true;
    return 'inspected';
  });

  await steps(caseId, ['record_started', 'project_requested', 'issue_label', 'email_label']);
  upsertSearchAttributes([
    { key: ReturnStatus, value: 'awaiting_parcel' },
    { key: WaitingFor, value: 'parcel' },
  ]);
  if (!(await condition(() => parcel, '1 day'))) return 'expired';

  await steps(caseId, ['record_received', 'project_received', 'email_received', 'project_waiting']);
  upsertSearchAttributes([{ key: WaitingFor, value: 'inspection' }]);
  if (!(await condition(() => inspected, '1 day'))) return 'expired';

  await steps(caseId, ['record_inspected', 'project_inspected', 'email_inspected', 'project_settling']);
  upsertSearchAttributes([{ key: ReturnStatus, value: 'inspected' }]);
  await steps(caseId, ['move_stock', 'issue_credit_note', 'refund']);
  upsertSearchAttributes([{ key: ReturnStatus, value: 'completed' }]);
  await sleep(BASELINE_SHAPE.followUpTimerMs);
  await step({ caseId, step: 'email_follow_up' });
  return 'completed';
}
