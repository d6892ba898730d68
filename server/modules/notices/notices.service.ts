// The notice board: the organization-scoped worked example (docs/integrating.md). orgProcedure has
// already checked the membership; every query here also filters by the caller's organization, so an
// id from another organization is simply NOT_FOUND, whatever orgId came with it.
import type { EntityManager } from '@mikro-orm/core';
import type { z } from 'zod';
import { orgCan, type OrgRole } from '#shared/roles.ts';
import type { Notice, NoticeListInputSchema, NoticePage, NoticePostInput } from '#shared/schemas/notices.ts';
import { AppError } from '#server/lib/app-error.ts';
import { olderThan, pageOf } from '#server/lib/cursor.ts';
import { displayNames } from '#server/modules/profile/display-names.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { NoticeEntity, type NoticeRecord } from './notice.entity.ts';

/** Who is calling, in which organization, with which role: what orgProcedure put on the context. */
export type NoticeCaller = { orgId: string; role: OrgRole; userId: string };

const DEFAULT_PAGE = 25;

const authorIdOf = (notice: NoticeRecord) => (notice.author as User | null)?.id ?? null;

/** The caller's own notices, and everyone's for those who manage members. */
const mayDelete = (caller: NoticeCaller, authorId: string | null) =>
  authorId === caller.userId || orgCan(caller.role, 'members:manage');

/** API shapes, the authors by the name they show now (one query for the page). */
async function toNotices(em: EntityManager, caller: NoticeCaller, notices: NoticeRecord[]): Promise<Notice[]> {
  const names = await displayNames(
    em,
    notices.map(authorIdOf).filter((id): id is string => id !== null),
  );
  return notices.map((notice) => {
    const authorId = authorIdOf(notice);
    const name = authorId ? names.get(authorId) : undefined;
    return {
      id: notice.id,
      title: notice.title,
      body: notice.body,
      author: authorId && name !== undefined ? { userId: authorId, name } : null,
      canDelete: mayDelete(caller, authorId),
      createdAt: notice.createdAt.toISOString(),
    };
  });
}

/** Newest first. */
export async function listNotices(
  em: EntityManager,
  caller: NoticeCaller,
  input: z.infer<typeof NoticeListInputSchema>,
): Promise<NoticePage> {
  const limit = input.limit ?? DEFAULT_PAGE;
  const rows = await em.find(
    NoticeEntity,
    { org: caller.orgId, ...olderThan(input.cursor, 'createdAt') },
    { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 },
  );
  const { page, nextCursor } = pageOf(rows, limit, (notice) => notice.createdAt);
  return { items: await toNotices(em, caller, page), nextCursor };
}

export async function postNotice(
  em: EntityManager,
  caller: NoticeCaller,
  input: NoticePostInput,
  now: Date,
): Promise<Notice> {
  const notice = em.create(NoticeEntity, {
    org: caller.orgId,
    author: caller.userId,
    title: input.title,
    body: input.body,
    createdAt: now,
  });
  await em.flush();
  const [shown] = await toNotices(em, caller, [notice]);
  return shown!;
}

export async function deleteNotice(em: EntityManager, caller: NoticeCaller, noticeId: string): Promise<void> {
  // The organization is part of the lookup: another organization's notice is not found, not forbidden.
  const notice = await em.findOne(NoticeEntity, { id: noticeId, org: caller.orgId });
  if (!notice) throw new AppError('NOT_FOUND', 'There is no such notice on this board.');
  if (!mayDelete(caller, authorIdOf(notice)))
    throw new AppError('FORBIDDEN', 'Only its author or someone who manages members can delete this notice.');
  em.remove(notice);
  await em.flush();
}
