import { PRODUCT_NAME } from '#shared/constants.ts';
import type { MailContent } from '../mail-message.ts';
import { renderMail } from './layout.ts';

export function verificationMail(link: string): MailContent {
  return renderMail({
    subject: `Confirm your email for ${PRODUCT_NAME}`,
    heading: 'Confirm your email address',
    paragraphs: [
      `Welcome to ${PRODUCT_NAME}. Confirm that this address is yours to finish creating your account.`,
      'The link works once and expires in 24 hours.',
    ],
    action: { label: 'Confirm my email', url: link },
    footnote: `If you did not sign up for ${PRODUCT_NAME}, ignore this mail: no account is created without this confirmation.`,
  });
}

export function accountExistsMail(loginLink: string): MailContent {
  return renderMail({
    subject: `Someone tried to sign up to ${PRODUCT_NAME} with your email`,
    heading: 'You already have an account',
    paragraphs: [
      `Someone, probably you, just tried to create a ${PRODUCT_NAME} account with this email address. You already have one, so nothing was changed.`,
    ],
    action: { label: 'Log in', url: loginLink },
    footnote: 'If this was not you, you can ignore this mail. Your account and password are unchanged.',
  });
}
