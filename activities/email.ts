/**
 * Customer e-mails, one per case and step: the outbox row (unique on case + kind) is written
 * first, the message goes out, then the row is marked sent; a retry of a sent step does nothing.
 * The texts come from the templates in `emails/` in the customer's language (their locale), as
 * plain text + HTML, from the shop's sender, with a signed link to the case's portal page.
 */
import { and, eq } from 'drizzle-orm';
import { caseEvents, customers, outboundEmails } from '../db/schema.js';
import { loadCaseView } from '../db/case-view.js';
import { renderCaseLabel } from '../documents/label-data.js';
import { renderCaseEmail, isLabelResend, type EmailKind } from '../emails/render.js';
import { portalCaseUrl } from '../links/customer-links.js';
import type { ActivityDeps } from './deps.js';

export { EMAIL_KINDS, isLabelResend, type EmailKind, type LabelResendKind } from '../emails/render.js';

/** E-mails that carry the label PDF as an attachment. */
const carriesLabel = (kind: EmailKind) => kind === 'label' || isLabelResend(kind);

export function emailActivities({
  db,
  mail,
  publicUrl,
  warehouse,
  brand,
  linkSecret,
}: Pick<ActivityDeps, 'db' | 'mail' | 'publicUrl' | 'warehouse' | 'brand' | 'linkSecret'>) {
  /** Rendered from the case; `issuedAt` (the outbox row's creation) fixes the portal link's expiry, so a retry sends the same link. */
  async function render(caseId: string, kind: EmailKind, issuedAt: Date) {
    const view = await loadCaseView(db, caseId);
    if (!view) throw new Error(`case ${caseId} not found`);
    const [customer] = await db.select().from(customers).where(eq(customers.id, view.customerId));
    if (!customer) throw new Error(`customer ${view.customerId} not found`);
    const rendered = renderCaseEmail({
      kind,
      case: view,
      customerName: customer.name,
      locale: customer.locale,
      brand,
      portalUrl: portalCaseUrl(publicUrl, linkSecret, view.orderId, caseId, issuedAt.getTime()),
      labelUrl: view.label?.url ?? `${publicUrl}/v1/returns/${caseId}/label`,
    });
    return { ...rendered, recipient: customer.email };
  }

  return {
    async sendCaseEmail({ caseId, kind }: { caseId: string; kind: EmailKind }): Promise<void> {
      const step = and(eq(outboundEmails.caseId, caseId), eq(outboundEmails.kind, kind));
      const [existing] = await db.select().from(outboundEmails).where(step);
      if (existing?.status === 'sent') return;
      let row = existing;
      let rendered: Awaited<ReturnType<typeof render>> | undefined;
      if (!row) {
        const issuedAt = new Date();
        rendered = await render(caseId, kind, issuedAt);
        await db
          .insert(outboundEmails)
          .values({
            caseId,
            kind,
            recipient: rendered.recipient,
            subject: rendered.subject,
            body: rendered.text,
            messageId: `<${caseId}.${kind}@returns-orchestrator>`,
            status: 'pending',
            createdAt: issuedAt,
          })
          .onConflictDoNothing();
        [row] = await db.select().from(outboundEmails).where(step);
      }
      if (!row) throw new Error('outbox row vanished');
      // The HTML part is rendered again on a retry (it is not kept in the row) with the same link expiry.
      if (!rendered || rendered.text !== row.body) rendered = await render(caseId, kind, row.createdAt);
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
        from: brand.shopName ? `"${brand.shopName.replace(/["\\\r\n]/g, '')}" <${brand.mailFrom}>` : brand.mailFrom,
        to: row.recipient,
        ...(brand.replyTo ? { replyTo: brand.replyTo } : {}),
        subject: row.subject,
        text: row.body,
        html: rendered.html,
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
