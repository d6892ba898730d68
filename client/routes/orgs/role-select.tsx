import { useId } from 'react';
import type { OrgRole } from '#shared/roles.ts';
import { ORG_ROLE_LABEL } from '#client/lib/orgs.ts';

type Props = { roles: OrgRole[]; defaultValue?: OrgRole; label?: string; name?: string };

/** The role an invitation (or a first sign-in through SSO) gives, among those the caller may give. */
export function RoleSelect({ roles, defaultValue = 'member', label = 'Role', name = 'role' }: Props) {
  const id = useId();
  return (
    <div className="field role-field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <select id={id} name={name} className="field__input" defaultValue={defaultValue}>
        {roles.map((role) => (
          <option key={role} value={role}>
            {ORG_ROLE_LABEL[role]}
          </option>
        ))}
      </select>
    </div>
  );
}
