/**
 * Customer e-mails, one per case and step: the outbox row (unique on case + kind) is written
 * first, the message goes out, then the row is marked sent; a retry of a sent step does nothing.
 */
import { and, eq } from 'drizzle-orm';
import { caseEvents, customers, outboundEmails } from '../db/schema.js';
import { loadCaseView, type CaseView } from '../db/case-view.js';
import { renderCaseLabel } from '../documents/label-data.js';
import type { ActivityDeps } from './deps.js';

export const EMAIL_KINDS = [
  'label',
  'label_reminder',
  'received',
  'inspected',
  'credit_issued',
  'cancelled',
  'expired',
  'follow_up',
  'replacement_shipped',
  'charged',
  'rejected',
  'refunded',
  'store_credit_issued',
] as const;
/** The label sent again on request (`POST /v1/returns/:id/label/resend`): one kind per resend, numbered from 1. */
export type LabelResendKind = `label_resend_${number}`;
export type EmailKind = (typeof EMAIL_KINDS)[number] | LabelResendKind;

export const isLabelResend = (kind: string): kind is LabelResendKind => /^label_resend_[1-9]\d*$/.test(kind);
/** E-mails that carry the label PDF as an attachment. */
const carriesLabel = (kind: EmailKind) => kind === 'label' || isLabelResend(kind);

const PAID_WITH: Record<CaseView['refunds'][number]['provider'], string> = {
  stripe: 'card',
  klarna: 'Klarna account',
  adyen: 'card',
  vipps_mobilepay: 'Vipps MobilePay account',
  gift_card: 'gift card',
  manual: 'account (paid out by the shop)',
};

export const SENDER = 'returns@returns-orchestrator.local';

function formatAmount(amount: number, currency: string): string {
  return `${(amount / 100).toFixed(2)} ${currency}`;
}

function compose(kind: EmailKind, c: CaseView, name: string, publicUrl: string): { subject: string; text: string } {
  const ref = `return ${c.id} (order ${c.orderId})`;
  const labelUrl = c.label?.url ?? `${publicUrl}/v1/returns/${c.id}/label`;
  if (isLabelResend(kind)) {
    return {
      subject: `Your return label for order ${c.orderId} (sent again)`,
      text: `Hello ${name},\n\nas requested, here is the return label for ${ref} again (attached as a PDF). Print it and attach it to the parcel:\n${labelUrl}\nTracking number: ${c.label?.trackingNumber ?? '-'}\n`,
    };
  }
  switch (kind) {
    case 'label':
      return {
        subject: `Your return label for order ${c.orderId}`,
        text: `Hello ${name},\n\nwe have registered ${ref}. Print your return label (attached as a PDF) and attach it to the parcel:\n${labelUrl}\nTracking number: ${c.label?.trackingNumber ?? '-'}\n`,
      };
    case 'label_reminder':
      return {
        subject: `Reminder: your return for order ${c.orderId} has not been sent yet`,
        text: `Hello ${name},\n\nwe have not yet seen the parcel for ${ref}. Your label: ${labelUrl}\n`,
      };
    case 'received':
      return {
        subject: `We received your return for order ${c.orderId}`,
        text: `Hello ${name},\n\nyour parcel for ${ref} has arrived at our warehouse. We will inspect it shortly.\n`,
      };
    case 'inspected':
      return {
        subject: `Your return for order ${c.orderId} has been inspected`,
        text: `Hello ${name},\n\nwe have inspected ${ref}:\n${c.lines.map((l) => `- ${l.sku} × ${l.quantity}: ${l.condition ?? '-'}`).join('\n')}\n`,
      };
    case 'credit_issued': {
      const notes = c.creditNotes
        .map((n) => `- credit note ${n.number}: ${formatAmount(n.amount, n.currency)}`)
        .join('\n');
      return {
        subject: `Credit issued for order ${c.orderId}`,
        text: `Hello ${name},\n\nwe have credited you for ${ref}:\n${notes}\n`,
      };
    }
    case 'cancelled':
      return {
        subject: `Your return for order ${c.orderId} was cancelled`,
        text: `Hello ${name},\n\n${ref} has been cancelled.\n`,
      };
    case 'expired':
      return {
        subject: `Your return for order ${c.orderId} has expired`,
        text: `Hello ${name},\n\nwe did not receive the parcel for ${ref} in time, so the return has expired.\n`,
      };
    case 'replacement_shipped':
      return {
        subject: `Your replacement for order ${c.orderId} is on its way`,
        text: `Hello ${name},\n\nyour replacement for ${ref} has shipped:\n${(c.shipments as { sku: string; quantity: number; trackingNumber: string }[]).map((s) => `- ${s.sku} × ${s.quantity}, tracking ${s.trackingNumber}`).join('\n')}\n`,
      };
    case 'charged': {
      const all = c.charges ?? [];
      const list = all
        .map((ch) => {
          const line = `- ${formatAmount(ch.amount, ch.currency)}: ${ch.reason}`;
          if (ch.status === 'collected') return `${line} (charged to your card)`;
          if (ch.status === 'payment_link' && ch.paymentUrl) return `${line}\n  Pay here: ${ch.paymentUrl}`;
          return line;
        })
        .join('\n');
      if (all.length > 0 && all.every((ch) => ch.status === 'collected')) {
        return {
          subject: `Payment for order ${c.orderId}`,
          text: `Hello ${name},\n\nfor ${ref} we have charged the card you paid with:\n${list}\n`,
        };
      }
      const linked = all.some((ch) => ch.status === 'payment_link' && ch.paymentUrl);
      return {
        subject: `Payment due for order ${c.orderId}`,
        text: `Hello ${name},\n\nfor ${ref} the following is due:\n${list}\n${linked ? '\nThe payment link is valid for 24 hours; contact us if it has expired.\n' : ''}`,
      };
    }
    case 'rejected':
      return {
        subject: `Your request for order ${c.orderId} was declined`,
        text: `Hello ${name},\n\nwe are sorry: ${ref} was not approved.\n`,
      };
    case 'refunded': {
      const list = c.refunds
        .filter((r) => r.status === 'succeeded')
        .map((r) => `- ${formatAmount(r.amount, r.currency)} to your ${PAID_WITH[r.provider]}`)
        .join('\n');
      return {
        subject: `Your refund for order ${c.orderId} is on its way`,
        text: `Hello ${name},\n\nyour refund for ${ref} is on its way:\n${list}\n`,
      };
    }
    case 'store_credit_issued': {
      const total = c.refunds.filter((r) => r.status === 'succeeded').reduce((n, r) => n + r.amount, 0);
      return {
        subject: `Store credit for order ${c.orderId}`,
        text: `Hello ${name},\n\nfor ${ref} you have ${formatAmount(total, c.currency)} in store credit. Your code is on your customer page and in your account.\n`,
      };
    }
    case 'follow_up':
      return {
        subject: `How did your return go?`,
        text: `Hello ${name},\n\nthank you for your patience with ${ref}. We hope to see you again soon.\n`,
      };
  }
}

export function emailActivities({
  db,
  mail,
  publicUrl,
  warehouse,
}: Pick<ActivityDeps, 'db' | 'mail' | 'publicUrl' | 'warehouse'>) {
  return {
    async sendCaseEmail({ caseId, kind }: { caseId: string; kind: EmailKind }): Promise<void> {
      const [existing] = await db
        .select()
        .from(outboundEmails)
        .where(and(eq(outboundEmails.caseId, caseId), eq(outboundEmails.kind, kind)));
      if (existing?.status === 'sent') return;
      let row = existing;
      if (!row) {
        const view = await loadCaseView(db, caseId);
        if (!view) throw new Error(`case ${caseId} not found`);
        const [customer] = await db.select().from(customers).where(eq(customers.id, view.customerId));
        if (!customer) throw new Error(`customer ${view.customerId} not found`);
        const { subject, text } = compose(kind, view, customer.name, publicUrl);
        await db
          .insert(outboundEmails)
          .values({
            caseId,
            kind,
            recipient: customer.email,
            subject,
            body: text,
            messageId: `<${caseId}.${kind}@returns-orchestrator>`,
            status: 'pending',
          })
          .onConflictDoNothing();
        [row] = await db
          .select()
          .from(outboundEmails)
          .where(and(eq(outboundEmails.caseId, caseId), eq(outboundEmails.kind, kind)));
      }
      if (!row) throw new Error('outbox row vanished');
      // The label PDF is rendered from the case at send time (not kept in the outbox row).
      const label = carriesLabel(kind) ? await renderCaseLabel(db, caseId, { warehouse }) : undefined;
      const attachments = label
        ? [
            {
              filename: `label-${label.trackingNumber}.pdf`,
              content: Buffer.from(label.pdf),
              contentType: 'application/pdf',
            },
          ]
        : undefined;
      await mail.send({
        from: SENDER,
        to: row.recipient,
        subject: row.subject,
        text: row.body,
        messageId: row.messageId,
        ...(attachments ? { attachments } : {}),
      });
      const sentAt = new Date();
      await db.transaction(async (tx) => {
        await tx.update(outboundEmails).set({ status: 'sent', sentAt }).where(eq(outboundEmails.id, row.id));
        await tx
          .insert(caseEvents)
          .values({
            caseId,
            eventKey: `email:${kind}`,
            at: sentAt,
            type: 'email.sent',
            detail: { kind, to: row.recipient, subject: row.subject },
          })
          .onConflictDoNothing();
      });
    },
  };
}
