import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '#server/lib/ids.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';

export const FLOW_INTENTS = ['signin', 'link'] as const;
export type FlowIntent = (typeof FLOW_INTENTS)[number];

/**
 * A provider sign-in in progress (API.md §12): kept in the database so any instance can finish it,
 * single use, 10 minutes, bound to the browser that started it by a cookie whose hash is here.
 */
export const OAuthFlowEntity = defineEntity({
  name: 'OAuthFlow',
  tableName: 'oauth_flows',
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    /** SHA-256 of the `state` sent to the provider. */
    stateHash: p.string().length(64).unique(),
    /** SHA-256 of the browser cookie's value. */
    browserHash: p.string().length(64),
    provider: p.string().length(32),
    codeVerifier: p.string().length(128),
    nonce: p.string().length(128).nullable(),
    intent: p.enum([...FLOW_INTENTS]),
    /** The member a link is for. */
    user: () => p.manyToOne(UserEntity).nullable().deleteRule('cascade'),
    returnTo: p.string().length(2048),
    expiresAt: p.datetime().index(),
  },
});
export type OAuthFlow = InferEntity<typeof OAuthFlowEntity>;
