import { Link, useLocation } from 'react-router';
import { Alert } from '#client/components/ui/alert.tsx';
import { PageHeading } from '#client/components/page-heading.tsx';
import { useSession } from '#client/lib/session.ts';

const FEATURES = [
  {
    title: 'Strong by default',
    text: 'Passwords are checked against common and easily guessed ones, and stored with Argon2id.',
  },
  { title: 'Signed in, safely', text: 'Short-lived tokens, rotating sessions and instant sign-out from any device.' },
  { title: 'Yours to share', text: 'A public profile with only what you choose to show. Your email stays private.' },
];

export function HomePage() {
  const session = useSession();
  const signedIn = session.status === 'signed_in';
  const notice = (useLocation().state as { notice?: string } | null)?.notice;
  return (
    <div className="page">
      <section className="hero stack">
        {notice && <Alert tone="success">{notice}</Alert>}
        <PageHeading title={signedIn ? 'Welcome' : 'Your account, kept safe'}>
          {signedIn
            ? `Welcome${session.user.profile.name ? `, ${session.user.profile.name}` : ''}`
            : 'Your account, kept safe'}
        </PageHeading>
        <p className="hero__lead">
          {signedIn
            ? 'You are signed in. Your public profile is what other members see of you.'
            : 'Latchkey keeps your sign-in secure and your personal details private, so you can get on with what matters.'}
        </p>
        <div className="row">
          {signedIn ? (
            <Link to={`/u/${session.user.id}`} className="button button--primary">
              View your profile
            </Link>
          ) : (
            <>
              <Link to="/signup" className="button button--primary">
                Create your account
              </Link>
              <Link to="/login" className="button button--secondary">
                I have an account
              </Link>
            </>
          )}
        </div>
      </section>
      <section className="features" aria-label="Why Latchkey">
        {FEATURES.map((feature) => (
          <div className="card" key={feature.title}>
            <h2>{feature.title}</h2>
            <p>{feature.text}</p>
          </div>
        ))}
      </section>
    </div>
  );
}
