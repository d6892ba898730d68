export type MailContent = {
  subject: string;
  html: string;
  text: string;
  /** The one link the mail is about, if any: what the development outbox logs. */
  link?: string;
};

export type MailMessage = MailContent & { to: string; replyTo?: string };

export type MailTransport = {
  name: string;
  send(message: MailMessage & { from: string }): Promise<void>;
};
