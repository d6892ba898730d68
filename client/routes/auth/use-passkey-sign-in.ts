import { useEffect, useRef, useState } from 'react';
import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  WebAuthnAbortService,
  type AuthenticationResponseJSON,
} from '@simplewebauthn/browser';
import type { AuthSession } from '#shared/schemas/auth.ts';
import { toProblem } from '#client/lib/errors.ts';
import { ceremonyOutcome, requestOptions, toWire } from '#client/lib/passkeys.ts';
import { trpc } from '#client/lib/trpc.ts';

export type PasskeyProblem = { tone: 'error' | 'info'; message: string; unverified?: boolean };

// The server keeps a sign-in challenge for 5 minutes (API.md §13); an autofill request waits for
// as long as the page is open, so it is renewed before its challenge expires.
const AUTOFILL_RENEW_MS = 4 * 60 * 1000; // 4 minutes

const CANCELLED: PasskeyProblem = {
  tone: 'info',
  message: 'Cancelled: no passkey was used. Try again, or log in with your password.',
};
const BROWSER_FAILED: PasskeyProblem = {
  tone: 'error',
  message: 'Your browser could not use a passkey. Try again, or log in with your password.',
};

function refused(error: unknown): PasskeyProblem {
  const problem = toProblem(error);
  switch (problem.reason) {
    case 'INVALID_CREDENTIALS':
      return {
        tone: 'error',
        message:
          'That passkey did not work: it may have been removed from your account. Log in with your password, or try another passkey.',
      };
    case 'EMAIL_NOT_VERIFIED':
      return { tone: 'error', message: problem.message, unverified: true };
    default:
      return { tone: 'error', message: problem.message };
  }
}

/**
 * Sign-in with a passkey (API.md §13): a modal ceremony started by a button, and, with `autofill`,
 * a conditional one from the page's start, answered when the member picks a passkey from the
 * Email field's suggestions. The autofill one fails silently unless a picked passkey is refused.
 */
export function usePasskeySignIn({
  autofill,
  onStart,
  onSignedIn,
}: {
  autofill: boolean;
  onStart: () => void;
  onSignedIn: (session: AuthSession) => void;
}) {
  const supported = browserSupportsWebAuthn();
  const authenticationOptions = trpc.auth.passkeys.authenticationOptions.useMutation();
  const signIn = trpc.auth.passkeys.signIn.useMutation();
  const [problem, setProblem] = useState<PasskeyProblem | null>(null);
  const [modal, setModal] = useState(false);
  const [round, setRound] = useState(0);
  // After a refused passkey, the next autofill request waits until the member is back in the Email
  // field: an authenticator that answers by itself would otherwise be asked over and over.
  const [paused, setPaused] = useState(false);
  const modalRunning = useRef(false);
  const handlers = useRef({ onStart, onSignedIn });
  handlers.current = { onStart, onSignedIn };
  const { mutateAsync: getOptions } = authenticationOptions;
  const { mutateAsync: sendResponse } = signIn;

  const finish = async (challengeId: string, response: AuthenticationResponseJSON) => {
    try {
      handlers.current.onSignedIn(await sendResponse({ challengeId, response: toWire(response) }));
      return true;
    } catch (error) {
      setProblem(refused(error));
      return false;
    }
  };

  useEffect(() => {
    if (!autofill || !supported || modal || paused) return;
    let active = true;
    void (async () => {
      if (!(await browserSupportsWebAuthnAutofill()) || !active) return;
      let challenge: Awaited<ReturnType<typeof getOptions>>;
      let response: AuthenticationResponseJSON;
      try {
        challenge = await getOptions();
        if (!active) return;
        response = await startAuthentication({
          optionsJSON: requestOptions(challenge.options),
          useBrowserAutofill: true,
        });
      } catch {
        // Not offered, stopped for the button's ceremony, or the options did not come: the password form still works.
        return;
      }
      if (!active) return;
      setProblem(null);
      handlers.current.onStart();
      if (!(await finish(challenge.challengeId, response)) && active) setPaused(true);
    })();
    const renew = setTimeout(() => setRound((value) => value + 1), AUTOFILL_RENEW_MS);
    return () => {
      active = false;
      clearTimeout(renew);
      // The button's ceremony has already replaced this one, and must go on.
      if (!modalRunning.current) WebAuthnAbortService.cancelCeremony();
    };
    // finish only reads refs and state setters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [autofill, supported, modal, paused, round, getOptions]);

  useEffect(() => {
    if (!paused) return;
    const resume = (event: Event) => {
      if (event.target instanceof HTMLInputElement && event.target.autocomplete.split(/\s+/).includes('webauthn'))
        setPaused(false);
    };
    const events = ['pointerdown', 'focusin', 'input'] as const;
    for (const event of events) document.addEventListener(event, resume);
    return () => {
      for (const event of events) document.removeEventListener(event, resume);
    };
  }, [paused]);

  useEffect(() => () => WebAuthnAbortService.cancelCeremony(), []);

  const start = async () => {
    setProblem(null);
    handlers.current.onStart();
    modalRunning.current = true;
    setModal(true);
    try {
      const challenge = await getOptions();
      let response: AuthenticationResponseJSON;
      try {
        // Starting it stops the autofill request: a page has one ceremony at a time.
        response = await startAuthentication({ optionsJSON: requestOptions(challenge.options) });
      } catch (error) {
        const outcome = ceremonyOutcome(error);
        if (outcome === 'cancelled') setProblem(CANCELLED);
        else if (outcome !== 'aborted') setProblem(BROWSER_FAILED);
        return;
      }
      if (!(await finish(challenge.challengeId, response))) setPaused(true);
    } catch (error) {
      setProblem(refused(error));
    } finally {
      modalRunning.current = false;
      setModal(false);
    }
  };

  return {
    supported,
    start: () => void start(),
    busy: modal || signIn.isPending,
    problem,
    clearProblem: () => setProblem(null),
  };
}
