import { OrgInvitationCreateInputSchema } from '#shared/schemas/orgs.ts';
import { InviteSomeone } from '#client/components/invite-someone.tsx';
import { rolesToInvite } from '#client/lib/orgs.ts';
import { trpc } from '#client/lib/trpc.ts';
import { useOrg } from './org-context.ts';
import { RoleSelect } from './role-select.tsx';

// The one-address form of orgs.invitations.create.
const InviteOneSchema = OrgInvitationCreateInputSchema.options[0];

export function InviteOneForm({ onSent }: { onSent: () => void }) {
  const { org, role } = useOrg();
  const create = trpc.orgs.invitations.create.useMutation();
  return (
    <InviteSomeone
      schema={InviteOneSchema}
      hint={`They get a link, valid for 7 days, to join ${org.name}: with their account if they have one, or by choosing a name and password.`}
      busy={create.isPending}
      send={(input) => create.mutateAsync(input)}
      onSent={onSent}
      fields={(email) => (
        <>
          <input type="hidden" name="orgId" value={org.id} />
          <div className="invite-row">
            {email}
            <RoleSelect roles={rolesToInvite(role)} />
          </div>
        </>
      )}
    />
  );
}
