import { useId, useState, type ReactNode } from 'react';
import type { z } from 'zod';
import { useSchemaForm } from '#client/lib/forms.ts';
import { Alert } from './ui/alert.tsx';
import { Button } from './ui/button.tsx';
import { Field } from './ui/field.tsx';

type Props<Schema extends z.ZodType<{ email: string }>> = {
  schema: Schema;
  /** Under the title: what the invited person gets. */
  hint: ReactNode;
  busy: boolean;
  /** Sends one invitation; a rejection is the server's answer, shown by its field or above the form. */
  send: (input: z.output<Schema>) => Promise<unknown>;
  /** Lays out the Email field with the form's other fields (a role, a hidden organization id). */
  fields: (email: ReactNode) => ReactNode;
  onSent?: () => void;
};

/** "Invite someone": one address and a role, for the product (admin) or for an organization. */
export function InviteSomeone<Schema extends z.ZodType<{ email: string }>>({
  schema,
  hint,
  busy,
  send,
  fields,
  onSent,
}: Props<Schema>) {
  const form = useSchemaForm(schema);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const titleId = useId();
  return (
    <section className="card stack" aria-labelledby={titleId}>
      <h2 id={titleId}>Invite someone</h2>
      <p className="field__hint">{hint}</p>
      {sentTo && <Alert tone="success">Invitation sent to {sentTo}.</Alert>}
      <form
        noValidate
        className="stack"
        onSubmit={form.onSubmit((input, formElement) => {
          setSentTo(null);
          send(input).then(
            () => {
              setSentTo(input.email);
              formElement.reset();
              onSent?.();
            },
            (error: unknown) => form.showError(formElement, error),
          );
        })}
      >
        {form.formError && <Alert tone="error">{form.formError}</Alert>}
        {fields(
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="off"
            errors={form.fieldErrors.email}
            onInput={() => form.clearField('email')}
          />,
        )}
        <div>
          <Button type="submit" busy={busy} busyLabel="Sending…">
            Send invitation
          </Button>
        </div>
      </form>
    </section>
  );
}
