import { useSyncExternalStore } from 'react';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '#server/trpc/router.ts';
import type { AuthSession, Me } from '#shared/schemas/auth.ts';
import { reasonOf } from './errors.ts';

export type SessionState = { status: 'loading' } | { status: 'signed_out' } | { status: 'signed_in'; user: Me };

// The access token lives in memory only; the refresh token is an HttpOnly cookie the page never sees.
let accessToken: string | null = null;
let state: SessionState = { status: 'loading' };
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let inFlight: Promise<boolean> | null = null;
// Bumped by every sign-in and sign-out on this page: a refresh that started before one must not undo it.
let generation = 0;
const listeners = new Set<() => void>();

const REFRESH_EARLY_MS = 60_000; // renew a minute before the access token expires
const LOCK_NAME = 'latchkey-refresh';
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('latchkey-session') : null;

// A client without the retry link: refresh must never trigger another refresh.
const sessionClient = createTRPCClient<AppRouter>({ links: [httpLink({ url: '/trpc' })] });

function setState(next: SessionState) {
  state = next;
  for (const listener of listeners) listener();
}

export function getAccessToken(): string | null {
  return accessToken;
}

export function useSession(): SessionState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}

function applySession(session: AuthSession) {
  accessToken = session.accessToken;
  clearTimeout(refreshTimer);
  const delay = new Date(session.accessTokenExpiresAt).getTime() - Date.now() - REFRESH_EARLY_MS;
  refreshTimer = setTimeout(() => void refreshSession(), Math.max(delay, 5_000));
  setState({ status: 'signed_in', user: session.user });
}

function applySignedOut() {
  accessToken = null;
  clearTimeout(refreshTimer);
  setState({ status: 'signed_out' });
}

/** After a sign-in on this page: keep the session and tell the other tabs to pick it up. */
export function signedIn(session: AuthSession): void {
  generation++;
  applySession(session);
  channel?.postMessage('signed_in');
}

export function updateUser(user: Me): void {
  if (state.status === 'signed_in') setState({ status: 'signed_in', user });
}

async function runRefresh(): Promise<boolean> {
  const startedAt = generation;
  try {
    const session = await sessionClient.auth.refresh.mutate();
    if (startedAt === generation) applySession(session);
    return true;
  } catch (error) {
    if (startedAt !== generation) return state.status === 'signed_in';
    // Only a definite "no session" signs the page out; a network blip keeps what we have.
    const reason = reasonOf(error);
    if (reason === 'UNAUTHENTICATED' || reason === 'FORBIDDEN') applySignedOut();
    else if (state.status === 'loading') setState({ status: 'signed_out' });
    return false;
  }
}

/**
 * One refresh at a time: concurrent callers in this tab share it, and tabs take turns through a
 * Web Lock so each presents the cookie the previous one received.
 */
export function refreshSession(): Promise<boolean> {
  if (inFlight) return inFlight;
  const run = navigator.locks ? navigator.locks.request(LOCK_NAME, runRefresh).then((ok) => ok) : runRefresh();
  const shared = run.finally(() => {
    inFlight = null;
  });
  inFlight = shared;
  return shared;
}

export async function signOut(): Promise<void> {
  const token = accessToken;
  generation++;
  applySignedOut();
  channel?.postMessage('signed_out');
  try {
    await createTRPCClient<AppRouter>({
      links: [httpLink({ url: '/trpc', headers: () => (token ? { Authorization: `Bearer ${token}` } : {}) })],
    }).auth.logout.mutate();
  } catch {
    // The page is signed out either way; the session ends at its next refresh attempt at the latest.
  }
}

channel?.addEventListener('message', (event: MessageEvent<string>) => {
  if (event.data === 'signed_out') applySignedOut();
  if (event.data === 'signed_in') void refreshSession();
});
