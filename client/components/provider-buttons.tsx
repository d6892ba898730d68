import type { ReactNode } from 'react';
import { providerStartPath } from '#shared/schemas/identities.ts';
import { trpc } from '#client/lib/trpc.ts';

/** The enabled sign-in providers (API.md §12); they change only with the server's configuration. */
export function useProviders() {
  return trpc.auth.providers.useQuery(undefined, { staleTime: Infinity });
}

/**
 * "Continue with <Name>" for each enabled provider, under an "or" divider, after `children` (other
 * ways to sign in, such as a passkey). Nothing while they load, when none is enabled or when they
 * cannot be loaded, unless there are children: the password form works on its own.
 */
export function ProviderButtons({ returnTo, children }: { returnTo: string; children?: ReactNode }) {
  const providers = useProviders();
  if (!providers.data?.length && !children) return null;
  return (
    <div className="providers">
      <p className="or-divider">or</p>
      <div className="stack providers__list">
        {children}
        {providers.data?.map((provider) => (
          // A full page load, not a router link: the server answers with a redirect to the provider.
          <a
            key={provider.id}
            className="button button--secondary button--block"
            href={`${providerStartPath(provider.id)}?intent=signin&returnTo=${encodeURIComponent(returnTo)}`}
          >
            Continue with {provider.name}
          </a>
        ))}
      </div>
    </div>
  );
}
