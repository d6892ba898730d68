import type { EntityManager } from '@mikro-orm/core';
import { UNNAMED_MEMBER } from '#shared/constants.ts';
import type { ContactInput } from '#shared/schemas/profile.ts';
import type { Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { contactRelayMail } from '#server/mail/templates/contact-mail.ts';
import { PrivacySettingsEntity } from '#server/modules/privacy/privacy-settings.entity.ts';
import { enforceRateLimit } from '#server/modules/rate-limit/rate-limit.ts';
import { RATE_LIMITS } from '#server/modules/rate-limit/rules.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { ProfileEntity } from './profile.entity.ts';
import { requireVisibleProfile } from './profile.service.ts';

/**
 * Relays a message by email to a member who allows it, reply-to the sender. The recipient's
 * address goes only to the mail transport: never into an answer, an error or a log line.
 */
export async function contactMember(em: EntityManager, deps: Deps, sender: User, input: ContactInput): Promise<void> {
  if (!sender.emailVerifiedAt)
    throw new AppError('EMAIL_NOT_VERIFIED', 'Confirm your email address before contacting members.');
  const recipient = await requireVisibleProfile(em, input.userId);
  const privacy = await em.findOneOrFail(PrivacySettingsEntity, { user: input.userId });
  if (!privacy.allowEmailContact)
    throw new AppError('CONTACT_NOT_ALLOWED', 'This member does not accept messages by email.');
  await enforceRateLimit(
    em,
    RATE_LIMITS.contactPerSender,
    sender.id,
    deps.now(),
    'You have sent the most messages allowed in a day. Try again tomorrow.',
  );

  const senderProfile = await em.findOneOrFail(ProfileEntity, { user: sender.id });
  const { publicUrl } = deps.config;
  await deps.mailer.send({
    to: recipient.user.email,
    replyTo: sender.email,
    ...contactRelayMail({
      senderName: senderProfile.name || UNNAMED_MEMBER,
      senderProfileUrl: `${publicUrl}/u/${sender.id}`,
      message: input.message,
      privacyUrl: `${publicUrl}/settings/privacy`,
    }),
  });
}
