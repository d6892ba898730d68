import { useState } from 'react';
import { Alert } from '#client/components/ui/alert.tsx';
import { trpc } from '#client/lib/trpc.ts';
import { useOrg } from '#client/routes/orgs/org-context.ts';
import { ConnectionForm } from './connection-form.tsx';
import { readNewConnection } from './connection-input.ts';

/** "Add a connection": a fresh form after each one added (its key changes). */
export function NewConnection() {
  const { org } = useOrg();
  const utils = trpc.useUtils();
  const create = trpc.orgs.sso.create.useMutation();
  const [added, setAdded] = useState<{ name: string; count: number } | null>(null);
  return (
    <section className="card stack" aria-labelledby="sso-new-title">
      <h2 id="sso-new-title">Add a connection</h2>
      <p className="field__hint">
        Connect your identity provider. Members whose address is at one of its verified domains can then sign in through
        it, and a first sign-in makes them members of {org.name}.
      </p>
      {added && (
        <Alert tone="success">{added.name} is added. Give your identity provider the values shown with it.</Alert>
      )}
      <ConnectionForm
        key={added?.count ?? 0}
        submitLabel="Add connection"
        busyLabel="Adding…"
        busy={create.isPending}
        onSubmit={async (form, protocol, mode) => {
          setAdded(null);
          const parsed = readNewConnection(form, protocol, mode);
          if (!parsed.ok) return parsed.fieldErrors;
          const connection = await create.mutateAsync(parsed.input);
          utils.orgs.sso.list.setData({ orgId: org.id }, (list) => list && [...list, connection]);
          void utils.orgs.sso.list.invalidate({ orgId: org.id });
          void utils.orgs.sso.domains.invalidate({ orgId: org.id });
          setAdded((current) => ({ name: connection.name, count: (current?.count ?? 0) + 1 }));
          return null;
        }}
      />
    </section>
  );
}
