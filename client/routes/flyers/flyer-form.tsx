import { FlyerCreateInputSchema, type FlyerCreateInput } from '#shared/schemas/flyers.ts';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Field, TextAreaField } from '#client/components/ui/field.tsx';
import { useSchemaForm } from '#client/lib/forms.ts';

type Props = {
  initial?: FlyerCreateInput;
  submitLabel: string;
  busy: boolean;
  /** Saves; calls back with the error to show, or nothing on success. */
  onSubmit: (input: FlyerCreateInput, done: (error?: unknown) => void) => void;
  onCancel?: () => void;
};

/** Title and text of a flyer, validated with the same schema the server uses. */
export function FlyerForm({ initial, submitLabel, busy, onSubmit, onCancel }: Props) {
  const form = useSchemaForm(FlyerCreateInputSchema);
  return (
    <form
      noValidate
      className="stack"
      onSubmit={form.onSubmit((input, formElement) =>
        onSubmit(input, (error) => {
          if (error) form.showError(formElement, error);
          else if (!initial) formElement.reset();
        }),
      )}
    >
      {form.formError && <Alert tone="error">{form.formError}</Alert>}
      <Field
        label="Title"
        name="title"
        defaultValue={initial?.title}
        maxLength={120}
        errors={form.fieldErrors.title}
        onInput={() => form.clearField('title')}
      />
      <TextAreaField
        label="Text"
        name="body"
        defaultValue={initial?.body}
        errors={form.fieldErrors.body}
        onInput={() => form.clearField('body')}
      />
      <div className="row">
        <Button type="submit" busy={busy} busyLabel="Saving…">
          {submitLabel}
        </Button>
        {onCancel && (
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        )}
      </div>
    </form>
  );
}
