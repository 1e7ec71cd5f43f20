import type { Client } from '@temporalio/client';
import type { CarrierSettings } from '../carriers/index.js';
import type { Address } from '../documents/label-pdf.js';
import type { Db } from '../db/client.js';
import type { MailSender } from './mail-transport.js';

export interface ActivityDeps {
  db: Db;
  mail: MailSender;
  /** Base URL of the public API, for links in e-mails and labels. */
  publicUrl: string;
  /**
   * Starts the outbound webhook delivery workflows (on `taskQueue`). Absent: deliveries are only
   * enqueued (their rows stay pending).
   */
  temporal?: Client;
  /** The case worker's task queue, where the delivery workflows run. */
  taskQueue?: string;
  /** Where return parcels go, printed on e-mailed labels; default DEFAULT_WAREHOUSE. */
  warehouse?: Address;
  /** Carriers that need settings (PostNord); a policy naming one that is absent here cannot get labels. */
  carriers?: CarrierSettings;
  /**
   * Called right after an effect's transaction committed and before the activity reports back:
   * the moment a worker crash is most dangerous. Tests use it to crash there.
   */
  afterEffect?: (step: string, caseId: string) => void | Promise<void>;
}
