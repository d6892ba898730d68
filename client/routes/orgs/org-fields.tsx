import { useState } from 'react';
import { ORG_NAME_MAX_LENGTH, ORG_SLUG_MAX_LENGTH } from '#shared/constants.ts';
import { suggestSlug } from '#shared/schemas/orgs.ts';
import { Field } from '#client/components/ui/field.tsx';
import type { FormState } from '#client/lib/forms.ts';

type Props = {
  form: FormState & { clearField: (name: string) => void };
  initial?: { name: string; slug: string };
};

/**
 * Name and address of an organization. A new one's address follows the name until it is edited;
 * an existing one's stays put, since changing it changes every link to it.
 */
export function OrgFields({ form, initial }: Props) {
  const [name, setName] = useState(initial?.name ?? '');
  const [slug, setSlug] = useState(initial?.slug ?? '');
  const [slugEdited, setSlugEdited] = useState(initial !== undefined);
  return (
    <>
      <Field
        label="Name"
        name="name"
        autoComplete="organization"
        maxLength={ORG_NAME_MAX_LENGTH * 2}
        value={name}
        errors={form.fieldErrors.name}
        onChange={(event) => {
          setName(event.target.value);
          form.clearField('name');
          if (!slugEdited) {
            setSlug(suggestSlug(event.target.value));
            form.clearField('slug');
          }
        }}
      />
      <Field
        label="Address"
        name="slug"
        autoComplete="off"
        spellCheck={false}
        autoCapitalize="none"
        maxLength={ORG_SLUG_MAX_LENGTH}
        value={slug}
        errors={form.fieldErrors.slug}
        hint={
          <>
            Lower-case letters, digits and hyphens. Pages live at{' '}
            <span className="org-url">
              {window.location.host}/orgs/{slug || '…'}
            </span>
          </>
        }
        onChange={(event) => {
          setSlug(event.target.value);
          setSlugEdited(true);
          form.clearField('slug');
        }}
      />
    </>
  );
}
