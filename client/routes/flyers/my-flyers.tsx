// The flyers page: the SPA half of the worked example (server/modules/flyers is the other half).
// Queries and mutations come typed from the router; after a change, the lists that show flyers
// (this page and the public profile) are refreshed from the server rather than patched by hand.
import { useState } from 'react';
import { Link } from 'react-router';
import type { Flyer } from '#shared/schemas/flyers.ts';
import { LoadError } from '#client/components/load-error.tsx';
import { PageHeading } from '#client/components/page-heading.tsx';
import { RequireAuth } from '#client/components/require-auth.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { toProblem } from '#client/lib/errors.ts';
import { useDateFormatter } from '#client/lib/preferences.ts';
import { useSession } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';
import { FlyerForm } from './flyer-form.tsx';

function useFlyerMutations() {
  const utils = trpc.useUtils();
  const refresh = () => Promise.all([utils.flyers.mine.invalidate(), utils.profile.get.invalidate()]);
  return {
    create: trpc.flyers.create.useMutation({ onSuccess: refresh }),
    update: trpc.flyers.update.useMutation({ onSuccess: refresh }),
    publish: trpc.flyers.publish.useMutation({ onSuccess: refresh }),
    unpublish: trpc.flyers.unpublish.useMutation({ onSuccess: refresh }),
    remove: trpc.flyers.delete.useMutation({ onSuccess: refresh }),
  };
}

export function MyFlyersPage() {
  return (
    <RequireAuth>
      <MyFlyers />
    </RequireAuth>
  );
}

function MyFlyers() {
  const session = useSession();
  const flyers = trpc.flyers.mine.useQuery();
  const mutations = useFlyerMutations();
  const userId = session.status === 'signed_in' ? session.user.id : '';

  return (
    <div className="page stack">
      <PageHeading title="Your flyers" />
      <p className="card__lead">
        Short notes that appear on <Link to={`/u/${userId}`}>your public profile</Link> once you publish them. Drafts
        are only visible to you.
      </p>
      <section className="card stack">
        <h2>New flyer</h2>
        <FlyerForm
          submitLabel="Create draft"
          busy={mutations.create.isPending}
          onSubmit={(input, done) => mutations.create.mutate(input, { onSuccess: () => done(), onError: done })}
        />
      </section>
      <h2 className="section-title">All your flyers</h2>
      {flyers.isPending && <Spinner label="Loading your flyers…" />}
      {flyers.isError && <LoadError what="your flyers" onRetry={() => void flyers.refetch()} />}
      {flyers.data?.length === 0 && <p className="empty">No flyers yet. Write your first one above.</p>}
      {flyers.data?.map((flyer) => (
        <FlyerCard key={flyer.id} flyer={flyer} mutations={mutations} />
      ))}
    </div>
  );
}

function FlyerCard({ flyer, mutations }: { flyer: Flyer; mutations: ReturnType<typeof useFlyerMutations> }) {
  const [editing, setEditing] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const formatDate = useDateFormatter();
  const onError = (cause: unknown) => setError(toProblem(cause).message);
  const published = flyer.status === 'published';
  const pending = (mutation: { isPending: boolean; variables?: { id: string } }) =>
    mutation.isPending && mutation.variables?.id === flyer.id;

  return (
    <article className="card stack" aria-labelledby={`flyer-${flyer.id}`}>
      {editing ? (
        <FlyerForm
          initial={{ title: flyer.title, body: flyer.body }}
          submitLabel="Save"
          busy={pending(mutations.update)}
          onCancel={() => setEditing(false)}
          onSubmit={(input, done) =>
            mutations.update.mutate(
              { id: flyer.id, ...input },
              {
                onSuccess: () => {
                  done();
                  setEditing(false);
                },
                onError: done,
              },
            )
          }
        />
      ) : (
        <>
          <div className="flyer__header">
            <h3 id={`flyer-${flyer.id}`}>{flyer.title}</h3>
            <span className={`badge${published ? ' badge--success' : ''}`}>{published ? 'Published' : 'Draft'}</span>
          </div>
          <p className="flyer__body">{flyer.body}</p>
          <p className="field__hint">
            {published && flyer.publishedAt
              ? `Published ${formatDate(flyer.publishedAt)}`
              : `Created ${formatDate(flyer.createdAt)}`}
          </p>
          {error && <Alert tone="error">{error}</Alert>}
          <div className="row">
            {published ? (
              <Button
                variant="secondary"
                size="small"
                busy={pending(mutations.unpublish)}
                onClick={() => mutations.unpublish.mutate({ id: flyer.id }, { onError })}
              >
                Unpublish
              </Button>
            ) : (
              <Button
                size="small"
                busy={pending(mutations.publish)}
                onClick={() => mutations.publish.mutate({ id: flyer.id }, { onError })}
              >
                Publish
              </Button>
            )}
            <Button variant="ghost" size="small" onClick={() => setEditing(true)}>
              Edit
            </Button>
            {confirmingDelete ? (
              <>
                <Button
                  variant="danger"
                  size="small"
                  busy={pending(mutations.remove)}
                  onClick={() => mutations.remove.mutate({ id: flyer.id }, { onError })}
                >
                  Delete for good
                </Button>
                <Button variant="ghost" size="small" onClick={() => setConfirmingDelete(false)}>
                  Keep it
                </Button>
              </>
            ) : (
              <Button variant="ghost" size="small" onClick={() => setConfirmingDelete(true)}>
                Delete
              </Button>
            )}
          </div>
        </>
      )}
    </article>
  );
}
