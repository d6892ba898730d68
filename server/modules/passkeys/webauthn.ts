// @simplewebauthn/server and its helpers hold about 4 MB of heap and 20 MB of RSS once loaded
// (issue 20's memory target): loaded by the first passkey ceremony, not by every start.
type WebAuthn = typeof import('@simplewebauthn/server') & typeof import('@simplewebauthn/server/helpers');

export async function webauthn(): Promise<WebAuthn> {
  const [server, helpers] = await Promise.all([
    import('@simplewebauthn/server'),
    import('@simplewebauthn/server/helpers'),
  ]);
  return { ...server, ...helpers };
}
