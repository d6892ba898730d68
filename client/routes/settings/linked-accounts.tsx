import { useEffect, useRef, useState } from 'react';
import { providerStartPath, type Identity } from '#shared/schemas/identities.ts';
import { LoadError } from '#client/components/load-error.tsx';
import { useProviders } from '#client/components/provider-buttons.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { ConfirmDialog } from '#client/components/ui/confirm-dialog.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { providerErrorMessage, toProblem } from '#client/lib/errors.ts';
import { useDateFormatter, useRelativeTimeFormatter } from '#client/lib/preferences.ts';
import { trpc } from '#client/lib/trpc.ts';
import { useLandingParams } from '#client/lib/use-landing-params.ts';

// Where the server sends the browser back after linking (API.md §12).
const LANDING_KEYS = ['linked', 'error'] as const;
// A screen reader notices a live region some time after it appears; a message put in at once is lost.
const ANNOUNCE_DELAY_MS = 150;

/** The provider accounts that sign the member in: link another one, unlink one. */
export function LinkedAccounts() {
  const utils = trpc.useUtils();
  const titleRef = useRef<HTMLHeadingElement>(null);
  const landing = useLandingParams(LANDING_KEYS);
  const providers = useProviders();
  const identities = trpc.auth.identities.list.useQuery();
  const [announcement, setAnnouncement] = useState<string | null>(null);
  const [landingError] = useState(landing.error && providerErrorMessage(landing.error));
  const [unlinking, setUnlinking] = useState<Identity | null>(null);
  const [linkingTo, setLinkingTo] = useState<string | null>(null);
  const linkTicket = trpc.auth.oauth.linkTicket.useMutation();
  const unlink = trpc.auth.identities.unlink.useMutation();
  const formatDate = useDateFormatter();
  const ago = useRelativeTimeFormatter();

  const nameOf = (providerId: string) =>
    identities.data?.find((identity) => identity.provider === providerId)?.name ??
    providers.data?.find((provider) => provider.id === providerId)?.name ??
    providerId;

  const linked = landing.linked;
  const providersSettled = !providers.isPending;
  const [linkAnnounced, setLinkAnnounced] = useState(false);
  useEffect(() => {
    if (!linked || !providersSettled || linkAnnounced) return;
    const name = providers.data?.find((provider) => provider.id === linked)?.name ?? linked;
    const timer = setTimeout(() => {
      setAnnouncement(`${name} is linked. You can now sign in with it.`);
      setLinkAnnounced(true);
    }, ANNOUNCE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [linked, providersSettled, providers.data, linkAnnounced]);
  useEffect(() => {
    // Back from the provider's page through the browser's cache: the Link button is no longer on its way out.
    const restored = (event: PageTransitionEvent) => event.persisted && setLinkingTo(null);
    window.addEventListener('pageshow', restored);
    return () => window.removeEventListener('pageshow', restored);
  }, []);

  // An install without providers has nothing to show here, unless a provider that was turned off is still linked.
  if (providers.isPending) return null;
  const nothingLinked = identities.isPending || identities.data?.length === 0;
  if (providers.data?.length === 0 && nothingLinked && !linked && !landingError) return null;

  const unlinked = identities.data
    ? (providers.data ?? []).filter(
        (provider) => !identities.data.some((identity) => identity.provider === provider.id),
      )
    : [];
  const unlinkError = (() => {
    if (!unlink.error || !unlinking) return null;
    const problem = toProblem(unlink.error);
    return problem.reason === 'LAST_SIGN_IN_METHOD'
      ? `${nameOf(unlinking.provider)} is the only way you can sign in to this account. Set a password first, then unlink it.`
      : problem.message;
  })();
  const closeDialog = () => {
    setUnlinking(null);
    unlink.reset();
  };

  return (
    <section className="card stack" aria-labelledby="linked-accounts-title">
      <h2 id="linked-accounts-title" ref={titleRef} tabIndex={-1}>
        Linked accounts
      </h2>
      <p className="field__hint">
        Sign in with an account you already have elsewhere. Linking one never shares your Latchkey password.
      </p>
      <div className="live-region" aria-live="polite">
        {announcement && (
          <Alert tone="success" inLiveRegion>
            {announcement}
          </Alert>
        )}
      </div>
      {landingError && <Alert tone="error">{landingError}</Alert>}
      {linkTicket.error && <Alert tone="error">{toProblem(linkTicket.error).message}</Alert>}
      {identities.isPending && <Spinner label="Loading your linked accounts…" />}
      {identities.isError && <LoadError what="your linked accounts" onRetry={() => void identities.refetch()} />}
      {identities.data?.length === 0 && <p className="empty">No linked accounts yet.</p>}
      {identities.data && identities.data.length > 0 && (
        <ul className="item-list">
          {identities.data.map((identity) => {
            const name = nameOf(identity.provider);
            return (
              <li key={identity.id} className="item-list__item">
                <div>
                  <p className="item-list__title">{name}</p>
                  <p className="field__hint" id={`identity-${identity.id}`}>
                    {identity.email && <>{identity.email} · </>}
                    linked {formatDate(identity.createdAt)} ·{' '}
                    {identity.lastUsedAt ? `last used ${ago(identity.lastUsedAt)}` : 'not used to sign in yet'}
                  </p>
                </div>
                <Button
                  variant="secondary"
                  size="small"
                  aria-label={`Unlink ${name}`}
                  // Two accounts at one provider are told apart by their email.
                  aria-describedby={`identity-${identity.id}`}
                  onClick={() => {
                    unlink.reset();
                    setUnlinking(identity);
                  }}
                >
                  Unlink
                </Button>
              </li>
            );
          })}
        </ul>
      )}
      {unlinked.length > 0 && (
        <div className="row">
          {unlinked.map((provider) => (
            <Button
              key={provider.id}
              variant="secondary"
              // The page leaves for the provider: it stays busy until it is gone.
              busy={linkingTo === provider.id && !linkTicket.isError}
              busyLabel={`Opening ${provider.name}…`}
              disabled={linkingTo !== null && !linkTicket.isError}
              onClick={() => {
                setLinkingTo(provider.id);
                linkTicket.mutate(undefined, {
                  onSuccess: ({ ticket }) =>
                    window.location.assign(
                      `${providerStartPath(provider.id)}?intent=link&ticket=${encodeURIComponent(ticket)}`,
                    ),
                });
              }}
            >
              Link {provider.name}
            </Button>
          ))}
        </div>
      )}
      <ConfirmDialog
        open={unlinking !== null}
        title={unlinking ? `Unlink ${nameOf(unlinking.provider)}?` : 'Unlink?'}
        confirmLabel="Unlink"
        tone="danger"
        busy={unlink.isPending}
        error={unlinkError}
        onCancel={closeDialog}
        onConfirm={() => {
          if (!unlinking) return;
          const name = nameOf(unlinking.provider);
          unlink.mutate(
            { id: unlinking.id },
            {
              onSuccess: async () => {
                closeDialog();
                await Promise.all([utils.auth.identities.list.invalidate(), utils.auth.securityEvents.invalidate()]);
                setAnnouncement(`${name} is unlinked.`);
                // The button that opened the dialog left with its row: keep the focus in this section.
                titleRef.current?.focus();
              },
            },
          );
        }}
      >
        {unlinking && (
          <p>
            You will no longer be able to sign in with the {nameOf(unlinking.provider)} account
            {unlinking.email ? ` ${unlinking.email}` : ''}. You can link it again at any time.
          </p>
        )}
      </ConfirmDialog>
    </section>
  );
}
