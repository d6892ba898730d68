import { useId, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { ContactInputSchema } from '#shared/schemas/profile.ts';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { TextAreaField } from '#client/components/ui/field.tsx';
import { useSchemaForm } from '#client/lib/forms.ts';
import { useSession } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';

/** "Send a message" on a profile whose owner allows it; visitors are asked to log in first. */
export function ContactSection({ userId, displayName }: { userId: string; displayName: string }) {
  const session = useSession();
  const location = useLocation();
  const headingId = useId();
  if (session.status === 'loading') return null;
  return (
    <section className="card stack" aria-labelledby={headingId}>
      <h2 id={headingId}>Send {displayName} a message</h2>
      {session.status === 'signed_out' ? (
        <p>
          <Link to="/login" state={{ from: location.pathname }}>
            Log in
          </Link>{' '}
          to send {displayName} a message by email.
        </p>
      ) : (
        <ContactForm userId={userId} displayName={displayName} senderEmail={session.user.email} />
      )}
    </section>
  );
}

function ContactForm({
  userId,
  displayName,
  senderEmail,
}: {
  userId: string;
  displayName: string;
  senderEmail: string;
}) {
  const form = useSchemaForm(ContactInputSchema);
  const [sent, setSent] = useState(false);
  const contact = trpc.profile.contact.useMutation();

  if (sent) {
    return (
      <div className="stack">
        <Alert tone="success">
          Your message is on its way. If {displayName} replies, the answer will arrive at {senderEmail}.
        </Alert>
        <div>
          <Button variant="secondary" size="small" onClick={() => setSent(false)}>
            Write another message
          </Button>
        </div>
      </div>
    );
  }
  return (
    <form
      noValidate
      className="stack"
      onSubmit={form.onSubmit((input, formElement) =>
        contact.mutate(input, {
          onSuccess: () => setSent(true),
          onError: (error) => form.showError(formElement, error),
        }),
      )}
    >
      <input type="hidden" name="userId" value={userId} />
      {form.formError && <Alert tone="error">{form.formError}</Alert>}
      <TextAreaField
        label="Message"
        name="message"
        maxLength={2000}
        errors={form.fieldErrors.message}
        onInput={() => form.clearField('message')}
        hint={`We send it by email. ${displayName} does not see your email address unless they reply: replies go to ${senderEmail}.`}
      />
      <div>
        <Button type="submit" busy={contact.isPending} busyLabel="Sending…">
          Send message
        </Button>
      </div>
    </form>
  );
}
