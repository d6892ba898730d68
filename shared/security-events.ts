/** Every security event the server records, with how the security log reads it. */
export const SECURITY_EVENT_LABELS = {
  'account.created': 'Account created',
  'email.verified': 'Email address confirmed',
  'session.started': 'Signed in',
  'session.ended': 'Signed out',
  'session.revoked': 'A session was ended',
  'sessions.revoked_others': 'Signed out everywhere else',
  'refresh.reuse_detected': 'A stolen sign-in was blocked, and that session ended',
  'login.failed': 'Failed sign-in attempt',
  'mfa.failed': 'Wrong two-factor code',
  'password.changed': 'Password changed',
  'password.reset': 'Password reset by email',
  'email.change_requested': 'Email change requested',
  'email.changed': 'Email address changed',
  'mfa.enabled': 'Two-factor codes turned on',
  'mfa.disabled': 'Two-factor codes turned off',
  'mfa.recovery_codes_regenerated': 'New recovery codes made',
  'mfa.recovery_code_used': 'Signed in with a recovery code',
  'account.deactivated': 'Account deactivated',
  'account.reactivated': 'Account reactivated',
  'account.deleted': 'Account deleted',
  'account.created_by_invitation': 'Account created from an invitation',
  'role.changed': 'Role changed by an administrator',
  'account.disabled': 'Account disabled by an administrator',
  'account.enabled': 'Account enabled by an administrator',
  'sessions.revoked_by_admin': 'Signed out everywhere by an administrator',
  'identity.linked': 'A sign-in method was linked',
  'identity.unlinked': 'A sign-in method was removed',
  'password.set': 'Password set',
  'passkey.added': 'Passkey added',
  'passkey.removed': 'Passkey removed',
  'sso.failed': 'A single sign-on attempt was refused',
  'passkey.counter_mismatch': 'A passkey answered with an old counter: it may have been copied',
} as const;

export type SecurityEventType = keyof typeof SECURITY_EVENT_LABELS;

export function describeSecurityEvent(type: string): string {
  return (SECURITY_EVENT_LABELS as Record<string, string>)[type] ?? type;
}
