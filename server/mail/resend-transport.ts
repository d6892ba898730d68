import { Resend } from 'resend';
import type { MailTransport } from './mail-message.ts';

export function createResendTransport(options: { apiKey: string; baseUrl?: string }): MailTransport {
  const resend = new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl } : undefined);
  return {
    name: 'resend',
    async send(message) {
      const { error } = await resend.emails.send({
        from: message.from,
        to: message.to,
        subject: message.subject,
        html: message.html,
        text: message.text,
        ...(message.replyTo ? { replyTo: message.replyTo } : {}),
      });
      // The SDK reports failures as values; make them errors so the caller logs them.
      if (error) throw new Error(`Resend refused the mail: ${error.name}`);
    },
  };
}
