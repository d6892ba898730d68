import { LoadError } from '#client/components/load-error.tsx';
import { PageHeading } from '#client/components/page-heading.tsx';
import { SaveStatus } from '#client/components/save-status.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { Switch } from '#client/components/ui/switch.tsx';
import { trpc } from '#client/lib/trpc.ts';
import { useLocalCopy } from '#client/lib/use-local-copy.ts';
import { DataRights } from './data-rights.tsx';

export function PrivacySettingsPage() {
  const utils = trpc.useUtils();
  const settings = trpc.privacy.get.useQuery();
  const update = trpc.privacy.update.useMutation({
    onSuccess: (data) => utils.privacy.get.setData(undefined, data),
    onError: () => void utils.privacy.get.refetch(),
  });
  const [allowEmailContact, setAllowEmailContact] = useLocalCopy(settings.data?.allowEmailContact ?? false);

  return (
    <div className="stack">
      <PageHeading title="Privacy" />
      <p className="card__lead">Decide what other members can do with your account, and what happens to your data.</p>
      <section className="card stack">
        <h2>Messages from members</h2>
        {settings.isPending && <Spinner label="Loading your settings…" />}
        {settings.isError && <LoadError what="your privacy settings" onRetry={() => void settings.refetch()} />}
        {settings.data && (
          <>
            <Switch
              label="Let members contact me by email"
              checked={allowEmailContact}
              onChange={(allow) => {
                setAllowEmailContact(allow);
                update.mutate({ allowEmailContact: allow });
              }}
              description={
                <>
                  <p>
                    When this is on, signed-in members see a “Send a message” form on your public profile. We email you
                    their message; your address stays hidden from them.
                  </p>
                  <p>If you reply, they will see your email address, as with any email. Turn this off at any time.</p>
                </>
              }
            />
            <SaveStatus mutation={update} />
          </>
        )}
      </section>
      <DataRights />
    </div>
  );
}
