import { AppError } from '#server/lib/app-error.ts';
import type { Session } from './session.entity.ts';

/** How recent a sign-in must be to stand in for a password the account does not have (API.md §12). */
export const FRESH_SIGN_IN_SECONDS = 10 * 60; // 10 minutes

/** REAUTH_REQUIRED unless this session began within the last 10 minutes (a refresh does not renew it). */
export function requireFreshSignIn(session: Session, now: Date): void {
  if (now.getTime() - session.createdAt.getTime() > FRESH_SIGN_IN_SECONDS * 1000) {
    throw new AppError('REAUTH_REQUIRED', 'Sign in again to do this: your sign-in is more than 10 minutes old.');
  }
}
