import type { EventArgs, EventSubscriber, MikroORM } from '@mikro-orm/core';
import type { FastifyBaseLogger } from 'fastify';
import type { Client } from '#server/deps.ts';
import { SecurityEventEntity, type SecurityEvent } from './security-event.entity.ts';

/** What the log says of a security event: type, user, actor, IP. The user agent and nothing secret. */
type LoggedSecurityEvent = { type: string; userId: string | null; actorId: string | null; ip: string | null };

function logSecurityEvent(log: FastifyBaseLogger, securityEvent: LoggedSecurityEvent): void {
  log.info({ securityEvent }, 'security event');
}

/** The log line of an event a member's own request wrote as a statement (insertSecurityEvent). */
export function logOwnSecurityEvent(
  log: FastifyBaseLogger,
  event: { type: string; userId: string; client: Client },
): void {
  logSecurityEvent(log, { type: event.type, userId: event.userId, actorId: null, ip: event.client.ip });
}

/** Every security event written through the unit of work also goes to the log, as it is written. */
export function logSecurityEvents(orm: MikroORM, log: FastifyBaseLogger): void {
  const subscriber: EventSubscriber<SecurityEvent> = {
    getSubscribedEntities: () => [SecurityEventEntity],
    afterCreate({ entity }: EventArgs<SecurityEvent>) {
      logSecurityEvent(log, {
        type: entity.type,
        userId: entity.user?.id ?? null,
        actorId: entity.actorId ?? null,
        ip: entity.ip ?? null,
      });
    },
  };
  orm.em.getEventManager().registerSubscriber(subscriber);
}
