import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '#server/config.ts';
import { createDevOutbox, type CapturedMail } from './dev-outbox.ts';
import type { MailMessage } from './mail-message.ts';
import { createResendTransport } from './resend-transport.ts';

export type Mailer = {
  /** Sends one mail; a failed delivery is logged, never thrown, so the answer to the user stays the same. */
  send(message: MailMessage): Promise<void>;
  /** The development outbox, when mail goes there; null when it goes through Resend. */
  devOutbox: { list(): CapturedMail[] } | null;
};

export function createMailer(config: Pick<Config, 'mail'>, log: FastifyBaseLogger): Mailer {
  const { resendApiKey, resendBaseUrl, from } = config.mail;
  const outbox = resendApiKey ? null : createDevOutbox(log);
  const transport = resendApiKey ? createResendTransport({ apiKey: resendApiKey, baseUrl: resendBaseUrl }) : outbox!;
  return {
    async send(message) {
      try {
        await transport.send({ ...message, from });
      } catch (error) {
        log.error({ err: error, transport: transport.name, subject: message.subject }, 'mail delivery failed');
      }
    },
    devOutbox: outbox,
  };
}
