export const PRODUCT_NAME = 'Latchkey';
/** How a member without a name is shown, on pages and in mails alike. */
export const UNNAMED_MEMBER = 'A Latchkey member';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60; // 15 minutes
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60; // 30 days
export const SESSION_MAX_AGE_SECONDS = 90 * 24 * 60 * 60; // 90 days, absolute
export const EMAIL_VERIFICATION_TTL_SECONDS = 24 * 60 * 60; // 24 hours

export const EMAIL_MAX_LENGTH = 254; // RFC 5321 path limit
export const NAME_MAX_LENGTH = 60; // code points
export const PASSWORD_MAX_LENGTH = 128; // code points, policy
export const LOGIN_PASSWORD_MAX_LENGTH = 1024; // code points, accepted at login
// UTF-16 units beyond which a new password is too long without normalising it first: NFKC composes
// at most a few code points into one, so no password of 128 code points after it is this long before.
export const PASSWORD_INPUT_MAX_LENGTH = 4096;
export const TOKEN_MAX_LENGTH = 256;
export const DEFAULT_PASSWORD_MIN_LENGTH = 15;

export const MAX_BATCH_SIZE = 10;
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024; // 1 MiB
export const UPLOAD_BODY_LIMIT_BYTES = 5 * 1024 * 1024; // 5 MiB: the avatar upload, file and form together

export const AVATAR_SIZE_PX = 512;
export const AVATAR_MAX_PIXELS = 40_000_000; // 40 megapixels
export const CONTACT_MESSAGE_MAX_LENGTH = 2000; // code points
export const FLYER_TITLE_MAX_LENGTH = 120; // code points
export const FLYER_BODY_MAX_LENGTH = 5000; // code points
export const ORG_NAME_MAX_LENGTH = 80; // code points
export const ORG_SLUG_MIN_LENGTH = 3;
export const ORG_SLUG_MAX_LENGTH = 40;
export const ORGS_PER_MEMBER_MAX = 50;
export const ORG_INVITATIONS_PER_CALL_MAX = 500;
export const ORG_INVITATIONS_PER_DAY = 100;
export const NOTICE_TITLE_MAX_LENGTH = 120; // code points
export const NOTICE_BODY_MAX_LENGTH = 2000; // code points

// Enterprise single sign-on (API.md §15)
export const SSO_CONNECTION_NAME_MAX_LENGTH = 80; // code points
export const SSO_DOMAINS_PER_CONNECTION_MAX = 20;
export const SSO_CONNECTIONS_PER_ORG_MAX = 20;
export const SSO_METADATA_MAX_LENGTH = 200_000; // characters of SAML metadata XML
export const SSO_CERTIFICATE_MAX_LENGTH = 20_000;
export const SSO_DOMAIN_CHALLENGE_PREFIX = '_latchkey-challenge';
