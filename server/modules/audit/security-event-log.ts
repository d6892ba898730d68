import type { EventArgs, EventSubscriber, MikroORM } from '@mikro-orm/core';
import type { FastifyBaseLogger } from 'fastify';
import { SecurityEventEntity, type SecurityEvent } from './security-event.entity.ts';

/**
 * Every security event also goes to the log, as it is written: type, user, actor, IP. The user
 * agent and nothing secret.
 */
export function logSecurityEvents(orm: MikroORM, log: FastifyBaseLogger): void {
  const subscriber: EventSubscriber<SecurityEvent> = {
    getSubscribedEntities: () => [SecurityEventEntity],
    afterCreate({ entity }: EventArgs<SecurityEvent>) {
      log.info(
        {
          securityEvent: {
            type: entity.type,
            userId: entity.user?.id ?? null,
            actorId: entity.actorId ?? null,
            ip: entity.ip ?? null,
          },
        },
        'security event',
      );
    },
  };
  orm.em.getEventManager().registerSubscriber(subscriber);
}
