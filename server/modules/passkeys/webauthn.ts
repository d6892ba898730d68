// @simplewebauthn/server and its helpers hold about 4 MB of heap and 20 MB of RSS once loaded
// (issue 20's memory target): loaded by the first passkey ceremony, not by every start.
type WebAuthn = typeof import('@simplewebauthn/server') & typeof import('@simplewebauthn/server/helpers');

let loading: Promise<WebAuthn> | undefined;

export const webauthn = (): Promise<WebAuthn> =>
  (loading ??= Promise.all([import('@simplewebauthn/server'), import('@simplewebauthn/server/helpers')]).then(
    ([server, helpers]) => ({ ...server, ...helpers }),
  ));
