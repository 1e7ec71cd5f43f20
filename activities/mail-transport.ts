/**
 * Where e-mails go: SMTP when SMTP_URL is set, otherwise one `.eml` file per message under
 * DATA_DIR/mail (so a developer can open exactly what a customer would get).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string;
  replyTo?: string;
  subject: string;
  text: string;
  /** The HTML part (sent as multipart/alternative with `text`). */
  html?: string;
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058) on campaign e-mails. */
  headers?: Record<string, string>;
  /** Deterministic per case and step, so a receiving system can drop a duplicate. */
  messageId: string;
  /** Files sent along (the label PDF with label e-mails). */
  attachments?: MailAttachment[];
}

export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

export interface MailSender {
  send(mail: OutgoingMail): Promise<void>;
}

/**
 * The nodemailer message: `text` and `html` together make a multipart/alternative body (inside a
 * multipart/mixed one when there are attachments); `replyTo` and `headers` go out as given.
 */
function message(mail: OutgoingMail): SendMailOptions {
  return {
    from: mail.from,
    to: mail.to,
    ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    subject: mail.subject,
    text: mail.text,
    ...(mail.html ? { html: mail.html } : {}),
    ...(mail.headers ? { headers: mail.headers } : {}),
    messageId: mail.messageId,
    ...(mail.attachments ? { attachments: mail.attachments } : {}),
  };
}

export function createMailSender(opts: { smtpUrl?: string; mailDir: string }): MailSender {
  if (opts.smtpUrl) {
    const transport = nodemailer.createTransport(opts.smtpUrl);
    return {
      async send(mail) {
        await transport.sendMail(message(mail));
      },
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const info = await transport.sendMail(message(mail));
      await mkdir(opts.mailDir, { recursive: true });
      const name = mail.messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9._-]/g, '_');
      // Same message id → same file: a retried send overwrites rather than duplicates.
      await writeFile(join(opts.mailDir, `${name}.eml`), info.message as Buffer);
    },
  };
}
