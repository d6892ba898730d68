import { useId } from 'react';
import type { OrgRole } from '#shared/roles.ts';
import { ORG_ROLE_LABEL } from '#client/lib/orgs.ts';

/** The role an invitation gives, among those the caller may give. */
export function RoleSelect({ roles, defaultValue = 'member' }: { roles: OrgRole[]; defaultValue?: OrgRole }) {
  const id = useId();
  return (
    <div className="field role-field">
      <label className="field__label" htmlFor={id}>
        Role
      </label>
      <select id={id} name="role" className="field__input" defaultValue={defaultValue}>
        {roles.map((role) => (
          <option key={role} value={role}>
            {ORG_ROLE_LABEL[role]}
          </option>
        ))}
      </select>
    </div>
  );
}
