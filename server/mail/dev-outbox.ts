import type { FastifyBaseLogger } from 'fastify';
import { newId } from '#server/lib/ids.ts';
import type { MailMessage, MailTransport } from './mail-message.ts';

export type CapturedMail = MailMessage & { id: string; from: string; at: string };

const KEEP = 50;

/** Development transport: keeps the latest mails for /dev/mail and logs each one with its link. */
export function createDevOutbox(log: FastifyBaseLogger): MailTransport & { list(): CapturedMail[] } {
  const mails: CapturedMail[] = [];
  return {
    name: 'dev-outbox',
    async send(message) {
      mails.unshift({ ...message, id: newId(), at: new Date().toISOString() });
      mails.length = Math.min(mails.length, KEEP);
      log.info(
        { mail: { to: message.to, subject: message.subject, link: message.link } },
        'development mail captured (see /dev/mail)',
      );
    },
    list: () => [...mails],
  };
}
