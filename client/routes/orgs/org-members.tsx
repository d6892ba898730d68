import { useRef, useState } from 'react';
import { Link, useLocation } from 'react-router';
import type { OrgRole } from '#shared/roles.ts';
import type { Member } from '#shared/schemas/orgs.ts';
import { Avatar } from '#client/components/avatar.tsx';
import { PageHeading } from '#client/components/page-heading.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { ConfirmDialog } from '#client/components/ui/confirm-dialog.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { toProblem } from '#client/lib/errors.ts';
import { ORG_ROLE_IN_SENTENCE, ORG_ROLE_LABEL, mayManageMember, rolesToGive } from '#client/lib/orgs.ts';
import { useDateFormatter } from '#client/lib/preferences.ts';
import { useSession } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';
import { useDebounced } from '#client/lib/use-debounced.ts';
import { useRefocusWhenLost } from '#client/lib/use-refocus-when-lost.ts';
import { useOrg } from './org-context.ts';
import { OrgQueryError } from './org-query-error.tsx';

type Action = { kind: 'role'; member: Member; role: OrgRole } | { kind: 'remove'; member: Member };

const ROLE_MEANING: Record<OrgRole, string> = {
  owner: 'An owner can do everything, including deleting the organization and managing other owners.',
  admin: 'An admin can invite people, manage members and change the organization’s name and address.',
  member: 'A member can see the other members and the notices.',
};

/** How a member is called in the list and in questions about them. */
export const displayName = (member: Pick<Member, 'name' | 'email'>) => member.name || member.email || 'A member';

export function OrgMembersPage() {
  const { org, role } = useOrg();
  const session = useSession();
  const notice = (useLocation().state as { notice?: string } | null)?.notice;
  const [search, setSearch] = useState('');
  const query = useDebounced(search.trim());
  const members = trpc.orgs.members.list.useInfiniteQuery(
    { orgId: org.id, query: query || undefined, limit: 25 },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const [action, setAction] = useState<Action | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const utils = trpc.useUtils();
  const finish = (message: string) => {
    setAction(null);
    setDone(message);
    void utils.orgs.members.list.invalidate({ orgId: org.id });
  };
  const setRole = trpc.orgs.members.setRole.useMutation();
  const remove = trpc.orgs.members.remove.useMutation();
  const formatDate = useDateFormatter();
  const ownId = session.status === 'signed_in' ? session.user.id : '';
  const items = members.data?.pages.flatMap((page) => page.items) ?? [];
  const error = setRole.error ?? remove.error;
  const searchRef = useRef<HTMLInputElement>(null);
  // A removed member's row goes with the Remove button that had the focus.
  useRefocusWhenLost(searchRef, items.map((member) => member.userId).join(' '));

  const open = (next: Action) => {
    setRole.reset();
    remove.reset();
    setDone(null);
    setAction(next);
  };
  const confirm = () => {
    if (!action) return;
    const { member } = action;
    const who = displayName(member);
    if (action.kind === 'role')
      setRole.mutate(
        { orgId: org.id, userId: member.userId, role: action.role },
        { onSuccess: () => finish(`${who} is now ${ORG_ROLE_IN_SENTENCE[action.role]}.`) },
      );
    else
      remove.mutate(
        { orgId: org.id, userId: member.userId },
        { onSuccess: () => finish(`${who} is no longer a member of ${org.name}.`) },
      );
  };

  return (
    <div className="stack">
      <PageHeading title={`Members · ${org.name}`}>Members</PageHeading>
      {notice && <Alert tone="success">{notice}</Alert>}
      <div className="field">
        <label className="field__label" htmlFor="member-search">
          Search members
        </label>
        <input
          ref={searchRef}
          id="member-search"
          className="field__input"
          type="search"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
      </div>
      <div className="live-region" role="status">
        {done}
      </div>
      {members.isPending && <Spinner label="Loading members…" />}
      {members.isError && (
        <OrgQueryError what="the members" error={members.error} onRetry={() => void members.refetch()} />
      )}
      {members.data && items.length === 0 && (
        <p className="empty">{query ? `No member matches “${query}”.` : 'No members yet.'}</p>
      )}
      {items.length > 0 && (
        <ul className="card item-list" aria-label="Members">
          {items.map((member) => (
            <MemberRow
              key={member.userId}
              member={member}
              isYou={member.userId === ownId}
              callerRole={role}
              joined={formatDate(member.joinedAt)}
              onChangeRole={(next) => open({ kind: 'role', member, role: next })}
              onRemove={() => open({ kind: 'remove', member })}
            />
          ))}
        </ul>
      )}
      {members.hasNextPage && (
        <div>
          <Button
            variant="secondary"
            busy={members.isFetchingNextPage}
            busyLabel="Loading…"
            onClick={() => void members.fetchNextPage()}
          >
            Show more members
          </Button>
        </div>
      )}
      <ConfirmDialog
        open={action !== null}
        title={
          action?.kind === 'role'
            ? `Make ${displayName(action.member)} ${ORG_ROLE_IN_SENTENCE[action.role]}?`
            : `Remove ${action ? displayName(action.member) : ''} from ${org.name}?`
        }
        confirmLabel={action?.kind === 'role' ? 'Change role' : 'Remove member'}
        tone={action?.kind === 'remove' ? 'danger' : 'primary'}
        busy={setRole.isPending || remove.isPending}
        error={error ? toProblem(error).message : null}
        onConfirm={confirm}
        onCancel={() => setAction(null)}
      >
        {action?.kind === 'role' ? (
          <p>{ROLE_MEANING[action.role]} The change applies at once.</p>
        ) : (
          <p>They lose access to {org.name} at once. You can invite them again later.</p>
        )}
      </ConfirmDialog>
    </div>
  );
}

type RowProps = {
  member: Member;
  isYou: boolean;
  callerRole: OrgRole;
  joined: string;
  onChangeRole: (role: OrgRole) => void;
  onRemove: () => void;
};

function MemberRow({ member, isYou, callerRole, joined, onChangeRole, onRemove }: RowProps) {
  const name = displayName(member);
  // Your own role is changed by another owner, and you leave from Settings: no accidents on your own row.
  const manageable = !isYou && mayManageMember(callerRole, member.role);
  const roles = rolesToGive(callerRole);
  const [chosen, setChosen] = useState<OrgRole>(member.role);
  const selectId = `role-${member.userId}`;
  const selectRef = useRef<HTMLSelectElement>(null);
  const changing = chosen !== member.role;
  // Once the role is saved, the Change role button that had the focus goes.
  useRefocusWhenLost(selectRef, changing);
  return (
    <li className="item-list__item member">
      <Avatar name={name} avatarUrl={member.avatarUrl} size="sm" />
      <div className="member__text">
        <p className="item-list__title member__name">
          <Link to={`/u/${member.userId}`}>{name}</Link>
          {isYou && <span className="field__hint"> (you)</span>}
        </p>
        {member.email && member.name && <p className="field__hint member__email">{member.email}</p>}
        <p className="field__hint">Joined {joined}</p>
      </div>
      {manageable ? (
        <div className="member__side">
          <label className="visually-hidden" htmlFor={selectId}>
            Role of {name}
          </label>
          <select
            ref={selectRef}
            id={selectId}
            className="field__input member__role"
            value={chosen}
            onChange={(event) => setChosen(event.target.value as OrgRole)}
          >
            {roles.map((option) => (
              <option key={option} value={option}>
                {ORG_ROLE_LABEL[option]}
              </option>
            ))}
          </select>
          {changing && (
            <Button size="small" onClick={() => onChangeRole(chosen)} aria-label={`Change role: ${name}`}>
              Change role
            </Button>
          )}
          <Button variant="ghost" size="small" onClick={onRemove} aria-label={`Remove: ${name}`}>
            Remove
          </Button>
        </div>
      ) : (
        <div className="member__side">
          <span className="badge">{ORG_ROLE_LABEL[member.role]}</span>
        </div>
      )}
    </li>
  );
}
