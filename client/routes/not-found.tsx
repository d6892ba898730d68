import { Link } from 'react-router';
import { PageHeading } from '#client/components/page-heading.tsx';

export function NotFoundPage({
  title = 'Page not found',
  message = 'The page you are looking for does not exist or has moved.',
}: {
  title?: string;
  message?: string;
}) {
  return (
    <div className="page page--narrow center">
      <div className="card">
        <PageHeading title={title} />
        <p className="card__lead">{message}</p>
        <Link to="/" className="button button--primary">
          Go to the home page
        </Link>
      </div>
    </div>
  );
}
