import { useState } from 'react';
import type { AdminUser } from '#shared/schemas/admin.ts';
import { can } from '#shared/roles.ts';
import { LoadError } from '#client/components/load-error.tsx';
import { PageHeading } from '#client/components/page-heading.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { ConfirmDialog } from '#client/components/ui/confirm-dialog.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { toProblem } from '#client/lib/errors.ts';
import { useDateFormatter, useRelativeTimeFormatter } from '#client/lib/preferences.ts';
import { useSession } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';
import { useDebounced } from '#client/lib/use-debounced.ts';
import { AdminUserOrgs } from './admin-user-orgs.tsx';

type Action = { kind: 'role' | 'disable' | 'enable' | 'revoke'; user: AdminUser };

const ACTION_TEXT: Record<
  Action['kind'],
  (user: AdminUser) => { title: string; body: string; confirm: string; danger: boolean }
> = {
  role: (user) =>
    user.role === 'admin'
      ? {
          title: 'Remove administrator rights?',
          body: `${user.email} becomes a member. Their open sessions stay, without admin access.`,
          confirm: 'Make member',
          danger: true,
        }
      : {
          title: 'Make this person an administrator?',
          body: `${user.email} will be able to manage every user and invitation.`,
          confirm: 'Make administrator',
          danger: false,
        },
  disable: (user) => ({
    title: 'Disable this account?',
    body: `${user.email} is signed out everywhere at once and cannot sign in until enabled again. Their profile disappears.`,
    confirm: 'Disable account',
    danger: true,
  }),
  enable: (user) => ({
    title: 'Enable this account?',
    body: `${user.email} can sign in again.`,
    confirm: 'Enable account',
    danger: false,
  }),
  revoke: (user) => ({
    title: 'Sign this person out everywhere?',
    body: `Every session of ${user.email} ends now. They can sign in again.`,
    confirm: 'Sign out everywhere',
    danger: true,
  }),
};

export function AdminUsersPage() {
  const session = useSession();
  const [search, setSearch] = useState('');
  const query = useDebounced(search.trim());
  const users = trpc.admin.users.list.useInfiniteQuery(
    { query: query || undefined, limit: 25 },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const [action, setAction] = useState<Action | null>(null);
  const utils = trpc.useUtils();
  const done = () => {
    setAction(null);
    void utils.admin.users.list.invalidate();
  };
  const setRole = trpc.admin.users.setRole.useMutation({ onSuccess: done });
  const setDisabled = trpc.admin.users.setDisabled.useMutation({ onSuccess: done });
  const revoke = trpc.admin.users.revokeSessions.useMutation({ onSuccess: done });
  const pending = setRole.isPending || setDisabled.isPending || revoke.isPending;
  const error = setRole.error ?? setDisabled.error ?? revoke.error;
  const formatDate = useDateFormatter();
  const ago = useRelativeTimeFormatter();
  const mayManage = session.status === 'signed_in' && can(session.user.role, 'users:manage');
  const items = users.data?.pages.flatMap((page) => page.items) ?? [];
  const text = action ? ACTION_TEXT[action.kind](action.user) : null;

  const confirm = () => {
    if (!action) return;
    const { user } = action;
    if (action.kind === 'role') setRole.mutate({ userId: user.id, role: user.role === 'admin' ? 'user' : 'admin' });
    if (action.kind === 'disable' || action.kind === 'enable')
      setDisabled.mutate({ userId: user.id, disabled: action.kind === 'disable' });
    if (action.kind === 'revoke') revoke.mutate({ userId: user.id });
  };
  const open = (next: Action) => {
    setRole.reset();
    setDisabled.reset();
    revoke.reset();
    setAction(next);
  };

  return (
    <div className="stack">
      <PageHeading title="Users" />
      <div className="field">
        <label className="field__label" htmlFor="user-search">
          Search by email or name
        </label>
        <input
          id="user-search"
          className="field__input"
          type="search"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
      </div>
      {users.isPending && <Spinner label="Loading users…" />}
      {users.isError && <LoadError what="the users" onRetry={() => void users.refetch()} />}
      {users.data && items.length === 0 && (
        <p className="empty">{query ? `No user matches “${query}”.` : 'No users yet.'}</p>
      )}
      {items.length > 0 && (
        <ul className="card item-list admin-list" aria-label="Users">
          {items.map((user) => (
            <li key={user.id} className="item-list__item admin-list__item">
              <div className="admin-list__who">
                <p className="item-list__title">{user.name || user.email}</p>
                {user.name && <p className="field__hint">{user.email}</p>}
                <p className="row admin-list__badges">
                  {user.role === 'admin' && <span className="badge badge--success">Administrator</span>}
                  {user.disabled && <span className="badge badge--danger">Disabled</span>}
                  <span className="badge">{user.emailVerified ? 'Email confirmed' : 'Email not confirmed'}</span>
                  <span className="badge">{user.mfaEnabled ? 'Two-factor on' : 'Two-factor off'}</span>
                </p>
                <p className="field__hint">
                  Joined {formatDate(user.createdAt)} ·{' '}
                  {user.lastSignInAt ? `last sign-in ${ago(user.lastSignInAt)}` : 'never signed in'}
                </p>
                <AdminUserOrgs user={user} />
              </div>
              {mayManage && (
                <div className="row admin-list__actions">
                  <Button
                    variant="secondary"
                    size="small"
                    onClick={() => open({ kind: 'role', user })}
                    aria-label={`${user.role === 'admin' ? 'Make member' : 'Make admin'}: ${user.email}`}
                  >
                    {user.role === 'admin' ? 'Make member' : 'Make admin'}
                  </Button>
                  <Button
                    variant="secondary"
                    size="small"
                    onClick={() => open({ kind: user.disabled ? 'enable' : 'disable', user })}
                    aria-label={`${user.disabled ? 'Enable' : 'Disable'}: ${user.email}`}
                  >
                    {user.disabled ? 'Enable' : 'Disable'}
                  </Button>
                  <Button
                    variant="ghost"
                    size="small"
                    onClick={() => open({ kind: 'revoke', user })}
                    aria-label={`Sign out everywhere: ${user.email}`}
                  >
                    Sign out everywhere
                  </Button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {users.hasNextPage && (
        <div>
          <Button
            variant="secondary"
            busy={users.isFetchingNextPage}
            busyLabel="Loading…"
            onClick={() => void users.fetchNextPage()}
          >
            Show more users
          </Button>
        </div>
      )}
      <ConfirmDialog
        open={action !== null}
        title={text?.title ?? ''}
        confirmLabel={text?.confirm ?? ''}
        tone={text?.danger ? 'danger' : 'primary'}
        busy={pending}
        error={error ? toProblem(error).message : null}
        onConfirm={confirm}
        onCancel={() => setAction(null)}
      >
        <p>{text?.body}</p>
      </ConfirmDialog>
    </div>
  );
}
