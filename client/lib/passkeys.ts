import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import { TRPCClientError } from '@trpc/client';

/**
 * What became of a browser's WebAuthn ceremony that did not give an answer (@simplewebauthn/browser
 * names the DOM exception in `name`):
 * - `aborted`: this page stopped it (another ceremony started, or the page left): nothing to say;
 * - `cancelled`: the person closed the browser's prompt or let it time out (WebAuthn gives both the
 *   same NotAllowedError, on purpose, so that a page cannot tell whether a passkey exists);
 * - `exists`: this authenticator already holds a passkey for the account (excludeCredentials);
 * - `failed`: anything else, including a server error (a TRPCClientError, told apart by the caller).
 */
export type CeremonyOutcome = 'aborted' | 'cancelled' | 'exists' | 'failed';

export function ceremonyOutcome(error: unknown): CeremonyOutcome {
  if (error instanceof TRPCClientError || !(error instanceof Error)) return 'failed';
  if (error.name === 'AbortError') return 'aborted';
  if (error.name === 'NotAllowedError') return 'cancelled';
  if (error.name === 'InvalidStateError') return 'exists';
  return 'failed';
}

// tRPC infers the options as their JSON (an extension's ArrayBuffer becomes an object): they are
// @simplewebauthn/server's JSON forms, which @simplewebauthn/browser takes as they are.
export const creationOptions = (options: unknown) => options as PublicKeyCredentialCreationOptionsJSON;
export const requestOptions = (options: unknown) => options as PublicKeyCredentialRequestOptionsJSON;

/** A ceremony's answer as the server's schema types it (its extension results as a plain record). */
export function toWire<Response extends RegistrationResponseJSON | AuthenticationResponseJSON>(response: Response) {
  return { ...response, clientExtensionResults: { ...response.clientExtensionResults } as Record<string, unknown> };
}
