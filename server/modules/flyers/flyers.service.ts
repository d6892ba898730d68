// Flyers: the worked example of a product feature on Latchkey. A service is plain functions that
// take what they need (the unit of work, the caller, the input, the clock) and return API shapes.
// Ownership is part of every query, so another member's flyer is simply NOT_FOUND.
import type { EntityManager } from '@mikro-orm/core';
import type { Flyer, FlyerCreateInput, FlyerUpdateInput } from '#shared/schemas/flyers.ts';
import { AppError } from '#server/lib/app-error.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { FlyerEntity, type FlyerRecord } from './flyer.entity.ts';

export function toFlyer(record: FlyerRecord): Flyer {
  return {
    id: record.id,
    title: record.title,
    body: record.body,
    status: record.status,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    publishedAt: record.publishedAt?.toISOString() ?? null,
  };
}

async function requireOwnFlyer(em: EntityManager, owner: User, id: string): Promise<FlyerRecord> {
  const flyer = await em.findOne(FlyerEntity, { id, user: owner.id });
  if (!flyer) throw new AppError('NOT_FOUND', 'There is no flyer of yours with this id.');
  return flyer;
}

export async function listMyFlyers(em: EntityManager, owner: User): Promise<Flyer[]> {
  const flyers = await em.find(FlyerEntity, { user: owner.id }, { orderBy: { createdAt: 'desc', id: 'asc' } });
  return flyers.map(toFlyer);
}

export async function createFlyer(em: EntityManager, owner: User, input: FlyerCreateInput, now: Date): Promise<Flyer> {
  const flyer = em.create(FlyerEntity, {
    user: owner,
    title: input.title,
    body: input.body,
    createdAt: now,
    updatedAt: now,
  });
  await em.flush();
  return toFlyer(flyer);
}

export async function updateFlyer(em: EntityManager, owner: User, input: FlyerUpdateInput, now: Date): Promise<Flyer> {
  const flyer = await requireOwnFlyer(em, owner, input.id);
  if (input.title !== undefined) flyer.title = input.title;
  if (input.body !== undefined) flyer.body = input.body;
  flyer.updatedAt = now;
  await em.flush();
  return toFlyer(flyer);
}

export async function setFlyerPublished(
  em: EntityManager,
  owner: User,
  id: string,
  published: boolean,
  now: Date,
): Promise<Flyer> {
  const flyer = await requireOwnFlyer(em, owner, id);
  flyer.status = published ? 'published' : 'draft';
  flyer.updatedAt = now;
  // Publishing again after an unpublish dates the flyer anew; publishing twice changes nothing.
  if (!published) flyer.publishedAt = null;
  else flyer.publishedAt ??= now;
  await em.flush();
  return toFlyer(flyer);
}

export async function deleteFlyer(em: EntityManager, owner: User, id: string): Promise<void> {
  const flyer = await requireOwnFlyer(em, owner, id);
  em.remove(flyer);
  await em.flush();
}
