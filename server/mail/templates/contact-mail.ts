import { PRODUCT_NAME } from '#shared/constants.ts';
import type { MailContent } from '../mail-message.ts';
import { renderMail } from './layout.ts';

export function contactRelayMail(input: {
  senderName: string;
  senderProfileUrl: string;
  message: string;
  privacyUrl: string;
}): MailContent {
  return renderMail({
    subject: `${input.senderName} sent you a message on ${PRODUCT_NAME}`,
    heading: `A message from ${input.senderName}`,
    paragraphs: [
      ...input.message.split(/\n{2,}/),
      `Reply to this email to answer: your reply goes straight to ${input.senderName}, and they will see your email address.`,
    ],
    action: { label: `See ${input.senderName}'s profile`, url: input.senderProfileUrl },
    footnote: `You get messages like this because you let members contact you by email. You can turn this off in your privacy settings: ${input.privacyUrl}`,
  });
}
