import { useState } from 'react';
import { OrgInvitationCreateInputSchema } from '#shared/schemas/orgs.ts';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Field } from '#client/components/ui/field.tsx';
import { useSchemaForm } from '#client/lib/forms.ts';
import { rolesToInvite } from '#client/lib/orgs.ts';
import { trpc } from '#client/lib/trpc.ts';
import { useOrg } from './org-context.ts';
import { RoleSelect } from './role-select.tsx';

// The one-address form of orgs.invitations.create.
const InviteOneSchema = OrgInvitationCreateInputSchema.options[0];

export function InviteOneForm({ onSent }: { onSent: () => void }) {
  const { org, role } = useOrg();
  const form = useSchemaForm(InviteOneSchema);
  const create = trpc.orgs.invitations.create.useMutation();
  const [sentTo, setSentTo] = useState<string | null>(null);
  return (
    <section className="card stack" aria-labelledby="invite-one-title">
      <h2 id="invite-one-title">Invite someone</h2>
      <p className="field__hint">
        They get a link, valid for 7 days, to join {org.name}: with their account if they have one, or by choosing a
        name and password.
      </p>
      {sentTo && <Alert tone="success">Invitation sent to {sentTo}.</Alert>}
      <form
        noValidate
        className="stack"
        onSubmit={form.onSubmit((input, formElement) => {
          setSentTo(null);
          create.mutate(input, {
            onSuccess: () => {
              setSentTo(input.email);
              formElement.reset();
              onSent();
            },
            onError: (error) => form.showError(formElement, error),
          });
        })}
      >
        {form.formError && <Alert tone="error">{form.formError}</Alert>}
        <input type="hidden" name="orgId" value={org.id} />
        <div className="invite-row">
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="off"
            errors={form.fieldErrors.email}
            onInput={() => form.clearField('email')}
          />
          <RoleSelect roles={rolesToInvite(role)} />
        </div>
        <div>
          <Button type="submit" busy={create.isPending} busyLabel="Sending…">
            Send invitation
          </Button>
        </div>
      </form>
    </section>
  );
}
