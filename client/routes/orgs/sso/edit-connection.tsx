import type { SsoConnection } from '#shared/schemas/sso.ts';
import { Button } from '#client/components/ui/button.tsx';
import { trpc } from '#client/lib/trpc.ts';
import { useOrg } from '#client/routes/orgs/org-context.ts';
import { ConnectionForm } from './connection-form.tsx';
import { readConnectionChanges } from './connection-input.ts';

/** The connection's form filled in; saving replaces it in the list and in the domains. */
export function EditConnection({ connection, onDone }: { connection: SsoConnection; onDone: () => void }) {
  const { org } = useOrg();
  const utils = trpc.useUtils();
  const update = trpc.orgs.sso.update.useMutation();
  return (
    <ConnectionForm
      connection={connection}
      submitLabel="Save connection"
      busyLabel="Saving…"
      busy={update.isPending}
      onSubmit={async (form, _protocol, mode) => {
        const parsed = readConnectionChanges(form, connection.id, mode);
        if (!parsed.ok) return parsed.fieldErrors;
        const updated = await update.mutateAsync(parsed.input);
        utils.orgs.sso.list.setData({ orgId: org.id }, (list) =>
          list?.map((item) => (item.id === updated.id ? updated : item)),
        );
        void utils.orgs.sso.domains.invalidate({ orgId: org.id });
        onDone();
        return null;
      }}
    >
      <Button variant="ghost" onClick={onDone}>
        Cancel
      </Button>
    </ConnectionForm>
  );
}
