// The notice board: the organization-scoped worked example (docs/integrating.md). orgProcedure has
// already checked the membership; every query here also filters by the caller's organization, so an
// id from another organization is simply NOT_FOUND, whatever orgId came with it.
import type { EntityManager } from '@mikro-orm/core';
import type { z } from 'zod';
import { UNNAMED_MEMBER } from '#shared/constants.ts';
import { orgCan, type OrgRole } from '#shared/roles.ts';
import type { Notice, NoticeListInputSchema, NoticePage, NoticePostInput } from '#shared/schemas/notices.ts';
import { dateOf } from '#server/db/columns.ts';
import { queryPrepared } from '#server/db/prepared.ts';
import { AppError } from '#server/lib/app-error.ts';
import { decodeCursor, pageOf } from '#server/lib/cursor.ts';
import { displayNames } from '#server/modules/profile/display-names.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { NoticeEntity } from './notice.entity.ts';

/** Who is calling, in which organization, with which role: what orgProcedure put on the context. */
export type NoticeCaller = { orgId: string; role: OrgRole; userId: string };

const DEFAULT_PAGE = 25;

/** A notice with its author's name: null for both once the account is gone (the foreign key sets null). */
type NoticeRow = {
  id: string;
  title: string;
  body: string;
  author_id: string | null;
  author_name: string | null;
  created_at: unknown;
};

/** The caller's own notices, and everyone's for those who manage members. */
const mayDelete = (caller: NoticeCaller, authorId: string | null) =>
  authorId === caller.userId || orgCan(caller.role, 'members:manage');

function toNotice(caller: NoticeCaller, row: NoticeRow): Notice {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    author:
      row.author_id && row.author_name !== null
        ? { userId: row.author_id, name: row.author_name || UNNAMED_MEMBER }
        : null,
    canDelete: mayDelete(caller, row.author_id),
    createdAt: dateOf(row.created_at).toISOString(),
  };
}

// The board is read far more often than written: one prepared read (server/db/prepared.ts) with the
// authors' names joined in, newest first, by the (org_id, created_at) index.
const noticesSql = (
  afterCursor: boolean,
) => `select n.id, n.title, n.body, n.author_id, p.name as author_name, n.created_at
  from notices n left join profiles p on p.user_id = n.author_id
  where n.org_id = ?${afterCursor ? ' and (n.created_at < ? or (n.created_at = ? and n.id < ?))' : ''}
  order by n.created_at desc, n.id desc limit ?`;
const FIRST_PAGE_SQL = noticesSql(false);
const NEXT_PAGE_SQL = noticesSql(true);

/** Newest first. */
export async function listNotices(
  em: EntityManager,
  caller: NoticeCaller,
  input: z.infer<typeof NoticeListInputSchema>,
): Promise<NoticePage> {
  const limit = input.limit ?? DEFAULT_PAGE;
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  const rows = after
    ? await queryPrepared<NoticeRow>(em, 'read', NEXT_PAGE_SQL, [
        caller.orgId,
        new Date(after.at),
        new Date(after.at),
        after.id,
        limit + 1,
      ])
    : await queryPrepared<NoticeRow>(em, 'read', FIRST_PAGE_SQL, [caller.orgId, limit + 1]);
  const { page, nextCursor } = pageOf(rows, limit, (row) => dateOf(row.created_at));
  return { items: page.map((row) => toNotice(caller, row)), nextCursor };
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
  const name = (await displayNames(em, [caller.userId])).get(caller.userId) ?? null;
  return toNotice(caller, {
    id: notice.id,
    title: notice.title,
    body: notice.body,
    author_id: caller.userId,
    author_name: name,
    created_at: now,
  });
}

export async function deleteNotice(em: EntityManager, caller: NoticeCaller, noticeId: string): Promise<void> {
  // The organization is part of the lookup: another organization's notice is not found, not forbidden.
  const notice = await em.findOne(NoticeEntity, { id: noticeId, org: caller.orgId });
  if (!notice) throw new AppError('NOT_FOUND', 'There is no such notice on this board.');
  if (!mayDelete(caller, (notice.author as User | null)?.id ?? null))
    throw new AppError('FORBIDDEN', 'Only its author or someone who manages members can delete this notice.');
  em.remove(notice);
  await em.flush();
}
