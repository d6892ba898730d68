import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '#server/lib/ids.ts';

export const CHALLENGE_PURPOSES = ['registration', 'authentication'] as const;

/**
 * A WebAuthn challenge kept by the server (API.md §13): single use, 5 minutes; a registration's is
 * bound to the session that asked for it, a sign-in's is found by its id.
 */
export const WebAuthnChallengeEntity = defineEntity({
  name: 'WebAuthnChallenge',
  tableName: 'webauthn_challenges',
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    challenge: p.string().length(128).unique(),
    purpose: p.enum([...CHALLENGE_PURPOSES]),
    /** The session a registration is for (deleted with it). */
    sessionId: p.string().length(64).nullable().index(),
    expiresAt: p.datetime().index(),
  },
});
export type WebAuthnChallenge = InferEntity<typeof WebAuthnChallengeEntity>;
