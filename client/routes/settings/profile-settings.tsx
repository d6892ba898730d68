import { useState } from 'react';
import { Link } from 'react-router';
import { ProfileUpdateInputSchema } from '#shared/schemas/profile.ts';
import { PageHeading } from '#client/components/page-heading.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Field } from '#client/components/ui/field.tsx';
import { useSchemaForm } from '#client/lib/forms.ts';
import { updateUser, useSession } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';
import { AvatarEditor } from './avatar-editor.tsx';

export function ProfileSettingsPage() {
  const session = useSession();
  const form = useSchemaForm(ProfileUpdateInputSchema);
  const [saved, setSaved] = useState(false);
  const utils = trpc.useUtils();
  const update = trpc.profile.update.useMutation();
  if (session.status !== 'signed_in') return null;
  const user = session.user;

  return (
    <div className="stack">
      <PageHeading title="Profile" />
      <p className="card__lead">
        This is what everyone sees on <Link to={`/u/${user.id}`}>your public profile</Link>. Your email address is never
        shown.
      </p>
      <AvatarEditor user={user} />
      <form
        noValidate
        className="card stack"
        onSubmit={form.onSubmit((input, formElement) => {
          setSaved(false);
          update.mutate(input, {
            onSuccess: (profile) => {
              updateUser({ ...user, profile: { ...user.profile, name: profile.name } });
              utils.profile.get.setData({ userId: user.id }, profile);
              setSaved(true);
            },
            onError: (error) => form.showError(formElement, error),
          });
        })}
      >
        <h2>Name</h2>
        {form.formError && <Alert tone="error">{form.formError}</Alert>}
        <Field
          label="Name"
          name="name"
          autoComplete="name"
          defaultValue={user.profile.name}
          hint="Up to 60 characters. Leave it empty to appear as a Latchkey member."
          errors={form.fieldErrors.name}
          onInput={() => {
            form.clearField('name');
            setSaved(false);
          }}
        />
        <div className="row">
          <Button type="submit" busy={update.isPending} busyLabel="Saving…">
            Save
          </Button>
          {saved && (
            <span role="status" className="saved-note">
              Saved
            </span>
          )}
        </div>
      </form>
    </div>
  );
}
