import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Deps } from './deps.ts';
import { pruneEndedInvitations } from './modules/invitations/invitations.service.ts';
import { pruneRetiredSigningKeys } from './modules/keys/install-keys.ts';
import { MfaChallengeEntity } from './modules/mfa/mfa-challenge.entity.ts';
import { eraseExpiredDeactivatedAccounts } from './modules/privacy/account-data.service.ts';
import { pruneRateLimitHits } from './modules/rate-limit/rate-limit.ts';
import { LONGEST_RATE_LIMIT_WINDOW_SECONDS } from './modules/rate-limit/rules.ts';
import { claimTask, releaseTask } from './modules/system/task-lease.ts';
import { OneTimeTokenEntity } from './modules/tokens/one-time-token.entity.ts';
import { OAuthFlowEntity } from './modules/identities/oauth-flow.entity.ts';
import { PendingLinkEntity } from './modules/identities/pending-link.entity.ts';
import { WebAuthnChallengeEntity } from './modules/passkeys/webauthn-challenge.entity.ts';
import { SamlAssertionEntity } from './modules/sso/saml-assertion.entity.ts';
import { SamlRequestEntity } from './modules/sso/saml-request.entity.ts';

const EVERY_MS = 10 * 60 * 1000; // 10 minutes
const KEEP_SPENT_TOKENS_MS = 24 * 60 * 60 * 1000; // a day, so "already used" can still be told apart for a while
// Longer than any task takes; an instance killed mid-task holds it no longer than this.
const LEASE_MS = 5 * 60 * 1000;
// This process, as the holder of the tasks it runs.
const HOLDER = randomUUID();

type Task = (em: EntityManager, deps: Deps, now: Date) => Promise<unknown>;

// Each is safe to repeat and bounded: set-based deletes, and at most 100 accounts erased per pass.
const TASKS: Record<string, Task> = {
  'rate-limit-hits': (em, _deps, now) => pruneRateLimitHits(em, now, LONGEST_RATE_LIMIT_WINDOW_SECONDS),
  'mfa-challenges': (em, _deps, now) => em.nativeDelete(MfaChallengeEntity, { expiresAt: { $lte: now } }),
  'one-time-tokens': (em, _deps, now) =>
    em.nativeDelete(OneTimeTokenEntity, { expiresAt: { $lte: new Date(now.getTime() - KEEP_SPENT_TOKENS_MS) } }),
  invitations: (em, _deps, now) => pruneEndedInvitations(em, now),
  'deactivated-accounts': (em, deps) => eraseExpiredDeactivatedAccounts(em, deps),
  'signing-keys': (em, _deps, now) => pruneRetiredSigningKeys(em, now),
  'oauth-flows': (em, _deps, now) => em.nativeDelete(OAuthFlowEntity, { expiresAt: { $lte: now } }),
  'pending-links': (em, _deps, now) => em.nativeDelete(PendingLinkEntity, { expiresAt: { $lte: now } }),
  'webauthn-challenges': (em, _deps, now) => em.nativeDelete(WebAuthnChallengeEntity, { expiresAt: { $lte: now } }),
  'saml-requests': (em, _deps, now) => em.nativeDelete(SamlRequestEntity, { expiresAt: { $lte: now } }),
  'saml-assertions': (em, _deps, now) => em.nativeDelete(SamlAssertionEntity, { expiresAt: { $lte: now } }),
};

// A pass of this process starts after its previous one has ended.
const passes = new WeakMap<Deps, Promise<void>>();

/**
 * One pass of every clean-up the product promises (no cron job for anyone to set up). Every
 * instance runs it; a task another instance is running is skipped, and a failing task does not
 * keep the others from running.
 */
export function runHousekeeping(deps: Deps): Promise<void> {
  const pass = (passes.get(deps) ?? Promise.resolve()).then(() => runTasks(deps));
  passes.set(deps, pass);
  return pass;
}

async function runTasks(deps: Deps): Promise<void> {
  const now = deps.now();
  for (const [name, task] of Object.entries(TASKS)) {
    const em = deps.orm.em.fork();
    try {
      if (!(await claimTask(em, name, HOLDER, LEASE_MS))) continue;
      try {
        await task(em, deps, now);
      } finally {
        await releaseTask(em.fork(), name, HOLDER);
      }
    } catch (error) {
      deps.log.warn({ err: error, task: name }, 'a housekeeping task failed; it will run again');
    }
  }
}

/** Runs housekeeping now and every 10 minutes inside the server. Returns a stop function. */
export function startHousekeeping(deps: Deps): () => void {
  const timer = setInterval(() => void runHousekeeping(deps), EVERY_MS);
  timer.unref();
  void runHousekeeping(deps);
  return () => clearInterval(timer);
}
