import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';

/**
 * A stand-in for the Pwned Passwords range API (PWNED_PASSWORDS_URL points here), on 127.0.0.1,
 * following https://haveibeenpwned.com/API/v3#SearchingPwnedPasswordsByRange: `GET /range/{5 hex}`
 * answers text/plain `SUFFIX:COUNT` lines (CRLF, uppercase), and with `Add-Padding: true` adds
 * decoy lines of count 0. Other shapes answer 400 as the real service does, so a request that
 * sends more than the prefix fails the test.
 */

export type PwnedRequest = { method: string; path: string; headers: http.IncomingHttpHeaders };

export type PwnedStandIn = {
  /** PWNED_PASSWORDS_URL. */
  url: string;
  /** Every request, oldest first. */
  requests: PwnedRequest[];
  /** Puts the password in the corpus, seen `count` times. */
  breach(password: string, count?: number): void;
  /** Answers the password's own suffix as a padding line (count 0), as a decoy can happen to be. */
  padWith(password: string): void;
  /** Every answer from now on waits this long before its headers (0: none). */
  delayMs: number;
  /** Every answer from now on has this HTTP status instead of 200 (null: normal answers). */
  failWith: number | null;
  /** Every answer from now on is a 200 with this body instead (null: normal answers). */
  answerWith: string | null;
  close(): Promise<void>;
};

const FILLER_LINES = 20;
const PADDING_LINES = 30;

const sha1 = (password: string) => createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
const randomSuffix = () => randomBytes(18).toString('hex').toUpperCase().slice(0, 35);

export async function startPwnedStandIn(): Promise<PwnedStandIn> {
  const breached = new Map<string, number>();
  const padded = new Set<string>();
  const requests: PwnedRequest[] = [];

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: request.method ?? 'GET', path: url.pathname + url.search, headers: request.headers });
    const answer = () => {
      if (standIn.failWith !== null) {
        response.writeHead(standIn.failWith, { 'Content-Type': 'text/plain' });
        return response.end('Service unavailable');
      }
      if (standIn.answerWith !== null) {
        response.writeHead(200, { 'Content-Type': 'text/plain' });
        return response.end(standIn.answerWith);
      }
      const match = /^\/range\/([0-9A-F]{5})$/i.exec(url.pathname);
      if (request.method !== 'GET' || !match || url.search !== '') {
        response.writeHead(400, { 'Content-Type': 'text/plain' });
        return response.end('The hash prefix was not in a valid format');
      }
      const prefix = match[1]!.toUpperCase();
      const lines: string[] = [];
      for (const [hash, count] of breached) if (hash.startsWith(prefix)) lines.push(`${hash.slice(5)}:${count}`);
      for (let i = 0; i < FILLER_LINES; i++) lines.push(`${randomSuffix()}:${1 + i}`);
      if (request.headers['add-padding'] === 'true') {
        for (const hash of padded) if (hash.startsWith(prefix)) lines.push(`${hash.slice(5)}:0`);
        for (let i = 0; i < PADDING_LINES; i++) lines.push(`${randomSuffix()}:0`);
      }
      lines.sort();
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      response.end(lines.join('\r\n'));
    };
    if (standIn.delayMs > 0) setTimeout(answer, standIn.delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const standIn: PwnedStandIn = {
    url: `http://127.0.0.1:${port}`,
    requests,
    breach(password, count = 3861493) {
      breached.set(sha1(password), count);
    },
    padWith(password) {
      padded.add(sha1(password));
    },
    delayMs: 0,
    failWith: null,
    answerWith: null,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return standIn;
}
