import { PRODUCT_NAME } from '#shared/constants.ts';
import type { MailContent } from '../mail-message.ts';
import { renderMail } from './layout.ts';

export function invitationMail(link: string, inviterName: string, role: 'user' | 'admin'): MailContent {
  return renderMail({
    subject: `You are invited to join ${PRODUCT_NAME}`,
    heading: `Join ${PRODUCT_NAME}`,
    paragraphs: [
      `${inviterName} invited you to create an account${role === 'admin' ? ' as an administrator' : ''}.`,
      'Choose your name and a password to get started. The link works once and expires in 7 days.',
    ],
    action: { label: 'Accept the invitation', url: link },
    footnote: 'If you were not expecting this, ignore this mail: no account is created without you.',
  });
}
