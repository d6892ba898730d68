import { useState } from 'react';
import { SsoDomainInputSchema } from '#shared/schemas/sso.ts';
import type { Org } from '#shared/schemas/orgs.ts';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Field } from '#client/components/ui/field.tsx';
import { useSchemaForm } from '#client/lib/forms.ts';
import { trpc } from '#client/lib/trpc.ts';

/**
 * A system admin vouches for an organization's domain (API.md §15), for an IdP whose customer
 * cannot publish DNS records. The domain then counts for the organization's SSO connections.
 */
export function AdminVerifyDomain({ org }: { org: Pick<Org, 'id' | 'name'> }) {
  const form = useSchemaForm(SsoDomainInputSchema);
  const verify = trpc.admin.orgs.verifyDomain.useMutation();
  const [verified, setVerified] = useState<string | null>(null);
  return (
    <form
      noValidate
      className="stack"
      aria-label={`Verify a domain for ${org.name}`}
      onSubmit={form.onSubmit((input, formElement) => {
        setVerified(null);
        verify.mutate(
          { orgId: org.id, domain: input.domain },
          {
            onSuccess: (domain) => {
              setVerified(domain.domain);
              formElement.reset();
            },
            onError: (error) => form.showError(formElement, error),
          },
        );
      })}
    >
      {form.formError && <Alert tone="error">{form.formError}</Alert>}
      <Field
        label={`Domain to verify for ${org.name}`}
        name="domain"
        autoComplete="off"
        spellCheck={false}
        placeholder="example.com"
        hint="Only when you have confirmed the organization holds it: its members' sign-in then goes through the organization's SSO."
        errors={form.fieldErrors.domain}
        onChange={() => form.clearField('domain')}
      />
      <div>
        <Button type="submit" variant="secondary" size="small" busy={verify.isPending} busyLabel="Verifying…">
          Verify domain
        </Button>
      </div>
      {verified && (
        <Alert tone="success">
          {verified} is verified for {org.name}.
        </Alert>
      )}
    </form>
  );
}
