import type { Db } from '../db/client.js';
import type { MailSender } from './mail-transport.js';

export interface ActivityDeps {
  db: Db;
  mail: MailSender;
  /** Base URL of the public API, for links in e-mails and labels. */
  publicUrl: string;
  /**
   * Called right after an effect's transaction committed and before the activity reports back:
   * the moment a worker crash is most dangerous. Tests use it to crash there.
   */
  afterEffect?: (step: string, caseId: string) => void | Promise<void>;
}
