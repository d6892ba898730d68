import type { EntityManager } from '@mikro-orm/core';
import type { Client } from '#server/deps.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { SecurityEventEntity } from './security-event.entity.ts';

export type SecurityEventType =
  | 'account.created'
  | 'email.verified'
  | 'session.started'
  | 'session.ended'
  | 'refresh.reuse_detected'
  | 'account.reactivated';

/** Adds the event to the unit of work: it is written with the change it records, or not at all. */
export function recordSecurityEvent(em: EntityManager, event: { user: User; type: SecurityEventType; client: Client; at: Date }): void {
  em.create(SecurityEventEntity, { user: event.user, type: event.type, at: event.at, ip: event.client.ip, userAgent: event.client.userAgent });
}
