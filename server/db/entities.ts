import { SecurityEventEntity } from '#server/modules/audit/security-event.entity.ts';
import { FlyerEntity } from '#server/modules/flyers/flyer.entity.ts';
import { InvitationEntity } from '#server/modules/invitations/invitation.entity.ts';
import { StoredKeyEntity } from '#server/modules/keys/stored-key.entity.ts';
import { MfaChallengeEntity } from '#server/modules/mfa/mfa-challenge.entity.ts';
import { RecoveryCodeEntity } from '#server/modules/mfa/recovery-code.entity.ts';
import { PasswordHistoryEntity } from '#server/modules/passwords/password-history.entity.ts';
import { PreferencesEntity } from '#server/modules/preferences/preferences.entity.ts';
import { PrivacySettingsEntity } from '#server/modules/privacy/privacy-settings.entity.ts';
import { AvatarEntity } from '#server/modules/profile/avatar.entity.ts';
import { ProfileEntity } from '#server/modules/profile/profile.entity.ts';
import { RateLimitHitEntity } from '#server/modules/rate-limit/rate-limit-hit.entity.ts';
import { SessionEntity } from '#server/modules/sessions/session.entity.ts';
import { OneTimeTokenEntity } from '#server/modules/tokens/one-time-token.entity.ts';
import { TaskLeaseEntity } from '#server/modules/system/task-lease.entity.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import { IdentityEntity } from '#server/modules/identities/identity.entity.ts';
import { OAuthFlowEntity } from '#server/modules/identities/oauth-flow.entity.ts';
import { PendingLinkEntity } from '#server/modules/identities/pending-link.entity.ts';
import { PasskeyEntity } from '#server/modules/passkeys/passkey.entity.ts';
import { NoticeEntity } from '#server/modules/notices/notice.entity.ts';
import { MembershipEntity } from '#server/modules/orgs/membership.entity.ts';
import { OrgEventEntity } from '#server/modules/orgs/org-event.entity.ts';
import { OrgInvitationEntity } from '#server/modules/orgs/org-invitation.entity.ts';
import { OrganizationEntity } from '#server/modules/orgs/organization.entity.ts';
import { WebAuthnChallengeEntity } from '#server/modules/passkeys/webauthn-challenge.entity.ts';
import { SamlAssertionEntity } from '#server/modules/sso/saml-assertion.entity.ts';
import { SamlRequestEntity } from '#server/modules/sso/saml-request.entity.ts';
import { SsoConnectionEntity } from '#server/modules/sso/sso-connection.entity.ts';
import { SsoDomainEntity } from '#server/modules/sso/sso-domain.entity.ts';

export const ENTITIES = [
  UserEntity,
  ProfileEntity,
  PrivacySettingsEntity,
  PreferencesEntity,
  SessionEntity,
  OneTimeTokenEntity,
  SecurityEventEntity,
  FlyerEntity,
  RateLimitHitEntity,
  RecoveryCodeEntity,
  MfaChallengeEntity,
  PasswordHistoryEntity,
  InvitationEntity,
  StoredKeyEntity,
  AvatarEntity,
  TaskLeaseEntity,
  IdentityEntity,
  OAuthFlowEntity,
  PendingLinkEntity,
  PasskeyEntity,
  WebAuthnChallengeEntity,
  OrganizationEntity,
  MembershipEntity,
  OrgInvitationEntity,
  OrgEventEntity,
  NoticeEntity,
  SsoConnectionEntity,
  SsoDomainEntity,
  SamlRequestEntity,
  SamlAssertionEntity,
];
