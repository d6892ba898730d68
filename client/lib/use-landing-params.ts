import { useEffect, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';

/**
 * Query parameters that a server redirect brought (a provider sign-in's `?error=`, `?mfa=`, `?link=`,
 * API.md §12), read once. They are then taken out of the address, so that a reload or the back
 * button does not replay a one-time token or show an old message again.
 */
export function useLandingParams<Key extends string>(keys: readonly Key[]): Record<Key, string | null> {
  const location = useLocation();
  const navigate = useNavigate();
  const [values] = useState(() => {
    const params = new URLSearchParams(location.search);
    return Object.fromEntries(keys.map((key) => [key, params.get(key)])) as Record<Key, string | null>;
  });
  const { search, state } = location;
  useEffect(() => {
    const params = new URLSearchParams(search);
    if (!keys.some((key) => params.has(key))) return;
    for (const key of keys) params.delete(key);
    const rest = params.toString();
    void navigate({ search: rest ? `?${rest}` : '' }, { replace: true, state, preventScrollReset: true });
  }, [keys, search, state, navigate]);
  return values;
}
