import type { Client } from '@temporalio/client';
import type { CarrierSettings } from '../carriers/index.js';
import type { Address } from '../documents/label-pdf.js';
import type { Db } from '../db/client.js';
import type { PaymentProviders } from '../payments/index.js';
import type { MailSender } from './mail-transport.js';

/** How customer e-mails look and who they come from (SHOP_NAME, MAIL_FROM, MAIL_REPLY_TO, SHOP_LOGO_URL, SHOP_BRAND_COLOR). */
export interface Brand {
  shopName: string;
  mailFrom: string;
  replyTo?: string;
  logoUrl?: string;
  color: string;
  /** EMAIL_TEMPLATES_DIR: `<locale>.json` files overriding the built-in templates key by key. */
  templatesDir?: string;
}

/** Everything the activities need, resolved once where the worker is built (defaults applied there). */
export interface ActivityDeps {
  db: Db;
  mail: MailSender;
  /** Base URL of the public API, for links in e-mails and labels. */
  publicUrl: string;
  /** Starts the outbound webhook delivery workflows (on `taskQueue`) and tells cases carrier events. */
  temporal: Client;
  /** The case worker's task queue, where the delivery workflows run. */
  taskQueue: string;
  /** Where return parcels go, printed on e-mailed labels. */
  warehouse: Address;
  /** Carriers that need settings (PostNord); a policy naming one that is absent here cannot get labels. */
  carriers: CarrierSettings;
  /** Payment providers configured here; a refund to one that is absent waits, pending, with the reason. */
  payments: PaymentProviders;
  brand: Brand;
  /** Signs the portal and unsubscribe links in e-mails (LINK_SECRET; the API verifies them). */
  linkSecret: string;
  /** Outbound webhooks may go to loopback, private and internal addresses (WEBHOOK_ALLOW_PRIVATE_TARGETS). */
  allowPrivateWebhookTargets: boolean;
}
