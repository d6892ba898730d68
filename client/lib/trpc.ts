import { createTRPCReact } from '@trpc/react-query';
import { httpBatchLink, type TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable, type Unsubscribable } from '@trpc/server/observable';
import type { AppRouter } from '#server/trpc/router.ts';
import { reasonOf } from './errors.ts';
import { getAccessToken, refreshSession } from './session.ts';

export const trpc = createTRPCReact<AppRouter>();

/** On UNAUTHENTICATED: one refresh shared by every call in flight, then one retry (DESIGN.md). */
const refreshOnUnauthenticated: TRPCLink<AppRouter> =
  () =>
  ({ op, next }) =>
    observable((observer) => {
      let subscription: Unsubscribable | undefined;
      let retried = false;
      const attempt = () => {
        subscription = next(op).subscribe({
          next: (value) => observer.next(value),
          complete: () => observer.complete(),
          error: (error: TRPCClientError<AppRouter>) => {
            if (retried || reasonOf(error) !== 'UNAUTHENTICATED' || op.path.startsWith('auth.refresh')) {
              observer.error(error);
              return;
            }
            retried = true;
            void refreshSession().then((ok) => (ok ? attempt() : observer.error(error)));
          },
        });
      };
      attempt();
      return () => subscription?.unsubscribe();
    });

export function createTrpcClient() {
  return trpc.createClient({
    links: [
      refreshOnUnauthenticated,
      httpBatchLink({
        url: '/trpc',
        maxItems: 10,
        headers: (): Record<string, string> => {
          const token = getAccessToken();
          return token ? { Authorization: `Bearer ${token}` } : {};
        },
      }),
    ],
  });
}
