import { PRODUCT_NAME } from '#shared/constants.ts';
import { describeDevice } from '#shared/user-agent.ts';
import type { MailContent } from '../mail-message.ts';
import { renderMail } from './layout.ts';

/** Where and how something happened, in the words a person reads: "Firefox on Linux, 192.0.2.1". */
export type MailContext = { ip: string; userAgent: string; at: Date };

const where = (context: MailContext) =>
  `${describeDevice(context.userAgent)}, IP address ${context.ip}, at ${context.at.toUTCString()}`;

const NOT_YOU = `If this was not you, reset your password now and review your sessions in ${PRODUCT_NAME}'s security settings.`;

export function passwordResetMail(link: string): MailContent {
  return renderMail({
    subject: `Reset your ${PRODUCT_NAME} password`,
    heading: 'Choose a new password',
    paragraphs: [
      'Someone, probably you, asked to reset the password of your account. The link works once and expires in 1 hour.',
    ],
    action: { label: 'Choose a new password', url: link },
    footnote: 'If you did not ask for this, ignore this mail: your password stays as it is.',
  });
}

export function passwordChangedMail(context: MailContext, resetLink: string, how: 'changed' | 'reset'): MailContent {
  return renderMail({
    subject: `Your ${PRODUCT_NAME} password was ${how}`,
    heading: `Your password was ${how}`,
    paragraphs: [
      `The password of your account was ${how} from ${where(context)}.`,
      how === 'reset'
        ? 'Every device that was signed in has been signed out.'
        : 'Every other device that was signed in has been signed out.',
    ],
    action: { label: 'This was not me', url: resetLink },
    footnote: NOT_YOU,
  });
}

export function emailChangeConfirmMail(link: string, newEmail: string): MailContent {
  return renderMail({
    subject: `Confirm your new email for ${PRODUCT_NAME}`,
    heading: 'Confirm your new email address',
    paragraphs: [
      `Confirm that ${newEmail} is yours to make it the address of your ${PRODUCT_NAME} account. The link works once and expires in 24 hours.`,
    ],
    action: { label: 'Confirm this address', url: link },
    footnote: 'If you did not ask for this, ignore this mail: nothing changes without this confirmation.',
  });
}

export function emailChangeNoticeMail(context: MailContext, newEmail: string): MailContent {
  return renderMail({
    subject: `Your ${PRODUCT_NAME} email is about to change`,
    heading: 'A new email address was requested',
    paragraphs: [
      `Someone signed in to your account asked to change its email address to ${newEmail}, from ${where(context)}.`,
      'The change takes effect only when the new address is confirmed.',
    ],
    footnote: NOT_YOU,
  });
}

export function emailTakenMail(loginLink: string): MailContent {
  return renderMail({
    subject: `Someone tried to use your email on ${PRODUCT_NAME}`,
    heading: 'Your address is already in use',
    paragraphs: [
      `Someone asked to move another ${PRODUCT_NAME} account to this email address. It already belongs to your account, so nothing was changed.`,
    ],
    action: { label: 'Log in', url: loginLink },
    footnote: 'You do not need to do anything.',
  });
}

export function mfaChangedMail(context: MailContext, enabled: boolean): MailContent {
  return renderMail({
    subject: enabled
      ? `Two-factor codes are on for your ${PRODUCT_NAME} account`
      : `Two-factor codes were turned off on your ${PRODUCT_NAME} account`,
    heading: enabled ? 'Two-factor codes are on' : 'Two-factor codes are off',
    paragraphs: [
      enabled
        ? `From now on, signing in asks for a code from your authenticator app. This was set up from ${where(context)}.`
        : `Signing in no longer asks for a code. This was changed from ${where(context)}.`,
      ...(enabled
        ? ['Keep your recovery codes somewhere safe: each one lets you in once if you lose your phone.']
        : []),
    ],
    footnote: NOT_YOU,
  });
}

export function newSignInMail(context: MailContext, securityLink: string): MailContent {
  return renderMail({
    subject: `New sign-in to your ${PRODUCT_NAME} account`,
    heading: 'New sign-in',
    paragraphs: [`Your account was just signed in to from ${where(context)}.`],
    action: { label: 'Review your sessions', url: securityLink },
    footnote: `${NOT_YOU} You can turn these alerts off in your preferences.`,
  });
}

export function loginThrottledMail(resetLink: string): MailContent {
  return renderMail({
    subject: `Many failed sign-ins to your ${PRODUCT_NAME} account`,
    heading: 'Someone is trying to sign in as you',
    paragraphs: [
      'There were many failed attempts to sign in to your account with a wrong password. To protect it, sign-ins from new devices are paused for 15 minutes.',
      'Devices you have signed in from before still work as usual, so you are not locked out.',
      'If these attempts were not yours, your password is still safe, but choosing a new, unique one does no harm.',
    ],
    action: { label: 'Choose a new password', url: resetLink },
    footnote: 'We send this at most once per pause, however many attempts there are.',
  });
}

/** API.md §12: a provider account now signs in to this one. */
export function identityLinkedMail(context: MailContext, providerName: string, settingsLink: string): MailContent {
  return renderMail({
    subject: `A sign-in method was linked to your ${PRODUCT_NAME} account`,
    heading: `${providerName} can now sign you in`,
    paragraphs: [
      `A ${providerName} account was linked to your ${PRODUCT_NAME} account from ${where(context)}. It can sign in to your account from now on.`,
    ],
    action: { label: 'Review your sign-in methods', url: settingsLink },
    footnote: `If this was not you, unlink it in the security settings and reset your password.`,
  });
}

export function passwordSetMail(context: MailContext, resetLink: string): MailContent {
  return renderMail({
    subject: `A password was set for your ${PRODUCT_NAME} account`,
    heading: 'Your account has a password',
    paragraphs: [`A password was set for your account from ${where(context)}. You can now also sign in with it.`],
    action: { label: 'This was not me', url: resetLink },
    footnote: NOT_YOU,
  });
}

/** API.md §13: a passkey now signs in to this account, or no longer does. */
export function passkeyChangedMail(
  context: MailContext,
  passkeyName: string,
  change: 'added' | 'removed',
  settingsLink: string,
): MailContent {
  return renderMail({
    subject:
      change === 'added'
        ? `A passkey was added to your ${PRODUCT_NAME} account`
        : `A passkey was removed from your ${PRODUCT_NAME} account`,
    heading: change === 'added' ? 'A new passkey can sign you in' : 'A passkey was removed',
    paragraphs: [
      change === 'added'
        ? `The passkey "${passkeyName}" was added to your account from ${where(context)}. It can sign in to your account from now on.`
        : `The passkey "${passkeyName}" was removed from your account from ${where(context)}. It no longer signs in.`,
    ],
    action: { label: 'Review your passkeys', url: settingsLink },
    footnote: NOT_YOU,
  });
}
