import type http from 'node:http';

/** The whole body of a request to one of the tests' stand-in servers, as text. */
export function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** The client id and secret of a token request: in the form body, or as HTTP Basic (RFC 6749 §2.3.1). */
export function clientCredentials(
  params: URLSearchParams,
  request: http.IncomingMessage,
): { clientId: string | null; clientSecret: string | null } {
  const basic = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? '');
  if (!basic) return { clientId: params.get('client_id'), clientSecret: params.get('client_secret') };
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return {
    clientId: decodeURIComponent(decoded.slice(0, colon)),
    clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
  };
}
