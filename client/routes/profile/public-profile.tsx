import { Link, useParams } from 'react-router';
import { UNNAMED_MEMBER } from '#shared/constants.ts';
import { Avatar } from '#client/components/avatar.tsx';
import { LoadError } from '#client/components/load-error.tsx';
import { PageHeading } from '#client/components/page-heading.tsx';
import { reasonOf } from '#client/lib/errors.ts';
import { useDateFormatter } from '#client/lib/preferences.ts';
import { useSession } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';
import { NotFoundPage } from '#client/routes/not-found.tsx';
import { ContactSection } from './contact-form.tsx';

export function PublicProfilePage() {
  const { userId = '' } = useParams();
  const session = useSession();
  const formatDate = useDateFormatter();
  const profile = trpc.profile.get.useQuery(
    { userId },
    { retry: (count, error) => reasonOf(error) === 'NETWORK' && count < 2 },
  );

  if (profile.isPending) {
    return (
      <div className="page" aria-busy="true">
        <p className="visually-hidden" role="status">
          Loading profile…
        </p>
        <div className="profile-header">
          <div className="skeleton avatar avatar--lg" />
          <div className="stack">
            <div className="skeleton skeleton--title" />
            <div className="skeleton skeleton--line" />
          </div>
        </div>
      </div>
    );
  }
  if (profile.isError) {
    const reason = reasonOf(profile.error);
    if (reason === 'NOT_FOUND' || reason === 'INVALID_INPUT') {
      return (
        <NotFoundPage
          title="Profile not found"
          message="There is no member at this address. The link may be mistyped, or the account was closed."
        />
      );
    }
    return (
      <div className="page page--narrow">
        <PageHeading title="Profile unavailable" />
        <LoadError what="this profile" onRetry={() => void profile.refetch()} />
      </div>
    );
  }

  const data = profile.data;
  const isOwn = session.status === 'signed_in' && session.user.id === data.userId;
  const displayName = data.name || UNNAMED_MEMBER;
  return (
    <div className="page stack">
      <section className="card">
        <div className="profile-header">
          <Avatar name={data.name} avatarUrl={data.avatarUrl} size="lg" />
          <div>
            <PageHeading
              title={displayName}
              className={`profile-header__name${data.name ? '' : ' profile-header__name--placeholder'}`}
            />
            <p className="profile-meta">
              Member since <time dateTime={data.joinedAt}>{formatDate(data.joinedAt)}</time>
            </p>
          </div>
          {isOwn && (
            <div className="profile-header__actions row">
              <Link to="/settings/profile" className="button button--primary button--small">
                Edit profile
              </Link>
              <Link to="/flyers" className="button button--secondary button--small">
                Manage flyers
              </Link>
            </div>
          )}
        </div>
        {isOwn && (
          <p className="field__hint profile-own-note">
            This is your public profile: what everyone sees, signed in or not.
          </p>
        )}
      </section>
      {data.canBeContacted && !isOwn && <ContactSection userId={data.userId} displayName={displayName} />}
      <h2 className="section-title">Flyers</h2>
      {data.flyers.length === 0 ? (
        <p className="empty">
          {isOwn ? 'You have not published any flyers yet.' : `${displayName} has not published any flyers yet.`}
        </p>
      ) : (
        <div className="stack">
          {data.flyers.map((flyer) => (
            <article className="card" key={flyer.id}>
              <h3>{flyer.title}</h3>
              <p className="flyer__body">{flyer.body}</p>
              <p className="field__hint">
                Published <time dateTime={flyer.publishedAt}>{formatDate(flyer.publishedAt)}</time>
              </p>
            </article>
          ))}
        </div>
      )}
    </div>
  );
}
