import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '#server/config.ts';
import { createDevOutbox, type CapturedMail } from './dev-outbox.ts';
import type { MailMessage } from './mail-message.ts';
import { createResendTransport } from './resend-transport.ts';

export type Mailer = {
  /** Sends one mail; a failed delivery is logged, never thrown, so the answer to the user stays the same. */
  send(message: MailMessage): Promise<void>;
  /**
   * Sends without making the caller wait: for answers whose timing must not depend on whether a
   * mail went out (password reset for an unknown address), and for notices that should not slow
   * a sign-in. Shutdown waits for these (drain).
   */
  sendInBackground(message: MailMessage): void;
  /** Resolves when every background mail has been handed to the transport. */
  drain(): Promise<void>;
  /** The development outbox, when mail goes there; null when it goes through Resend. */
  devOutbox: { list(): CapturedMail[] } | null;
};

export function createMailer(config: Pick<Config, 'mail'>, log: FastifyBaseLogger): Mailer {
  const { resendApiKey, resendBaseUrl, from } = config.mail;
  const outbox = resendApiKey ? null : createDevOutbox(log);
  const transport = resendApiKey ? createResendTransport({ apiKey: resendApiKey, baseUrl: resendBaseUrl }) : outbox!;
  const pending = new Set<Promise<void>>();
  const send = async (message: MailMessage) => {
    try {
      await transport.send({ ...message, from });
    } catch (error) {
      log.error({ err: error, transport: transport.name, subject: message.subject }, 'mail delivery failed');
    }
  };
  return {
    send,
    sendInBackground(message) {
      const delivery = send(message).finally(() => pending.delete(delivery));
      pending.add(delivery);
    },
    async drain() {
      await Promise.all(pending);
    },
    devOutbox: outbox,
  };
}
