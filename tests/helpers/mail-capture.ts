import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './request-body.ts';

/** One mail as the `resend` SDK posted it to `POST /emails`. */
export type CapturedMail = {
  /** 1, 2, 3...: the order in which mails arrived. */
  seq: number;
  id: string;
  from: string;
  to: string[];
  subject: string;
  html: string | undefined;
  text: string | undefined;
  replyTo: string[] | undefined;
  /** The Authorization header the SDK sent (`Bearer <RESEND_API_KEY>`). */
  authorization: string | undefined;
  /** The whole JSON body, for assertions on fields this type does not name. */
  body: Record<string, unknown>;
};

export type MailMatcher = ((mail: CapturedMail) => boolean) | { to: string; subject?: string | RegExp; since?: number };

export type MailCapture = {
  /** Base URL to give the server as RESEND_BASE_URL (no trailing slash: the SDK appends `/emails`). */
  url: string;
  mails(): CapturedMail[];
  /** The seq of the latest mail so far: pass it as `since` to wait only for later mails. */
  mark(): number;
  mailsTo(address: string): CapturedMail[];
  waitForMail(matcher: MailMatcher, timeoutMs?: number): Promise<CapturedMail>;
  close(): Promise<void>;
};

const asList = (value: unknown): string[] | undefined =>
  value === undefined || value === null ? undefined : Array.isArray(value) ? value.map(String) : [String(value)];

function matches(matcher: MailMatcher, mail: CapturedMail): boolean {
  if (typeof matcher === 'function') return matcher(mail);
  const to = matcher.to.toLowerCase();
  if (!mail.to.some((address) => address.toLowerCase() === to)) return false;
  if (matcher.since !== undefined && mail.seq <= matcher.since) return false;
  if (matcher.subject === undefined) return true;
  return typeof matcher.subject === 'string'
    ? mail.subject.includes(matcher.subject)
    : matcher.subject.test(mail.subject);
}

/** A stand-in for Resend's API on 127.0.0.1: accepts `POST /emails` and keeps what it gets. */
export async function startMailCapture(): Promise<MailCapture> {
  const captured: CapturedMail[] = [];
  const server = http.createServer(async (request, response) => {
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'POST' || request.url !== '/emails') {
      return answer(404, { statusCode: 404, name: 'not_found', message: 'Only POST /emails is served here.' });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(request)) as Record<string, unknown>;
    } catch {
      return answer(422, { statusCode: 422, name: 'validation_error', message: 'The body is not JSON.' });
    }
    if (typeof body.from !== 'string' || !body.to || typeof body.subject !== 'string') {
      return answer(422, { statusCode: 422, name: 'validation_error', message: 'from, to and subject are required.' });
    }
    const seq = captured.length + 1;
    const id = `captured-${seq}`;
    captured.push({
      seq,
      id,
      from: body.from,
      to: asList(body.to) ?? [],
      subject: body.subject,
      html: typeof body.html === 'string' ? body.html : undefined,
      text: typeof body.text === 'string' ? body.text : undefined,
      replyTo: asList(body.reply_to),
      authorization: request.headers.authorization,
      body,
    });
    return answer(200, { id });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    mails: () => [...captured],
    mark: () => captured.length,
    mailsTo: (address) => captured.filter((mail) => matches({ to: address }, mail)),
    async waitForMail(matcher, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = captured.find((mail) => matches(matcher, mail));
        if (found) return found;
        if (Date.now() > deadline) {
          const seen = captured.map((mail) => `${mail.to.join(',')}: ${mail.subject}`).join('\n  ');
          throw new Error(`No matching mail within ${timeoutMs} ms. Mails so far:\n  ${seen || '(none)'}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * The first link in the mail's plain-text part whose path (and query) starts with `pathPrefix`,
 * e.g. linkIn(mail, '/verify-email?token='). Throws when there is none.
 */
export function linkIn(mail: CapturedMail, pathPrefix: string): URL {
  for (const candidate of (mail.text ?? '').match(/https?:\/\/[^\s<>"')]+/g) ?? []) {
    const url = new URL(candidate);
    if ((url.pathname + url.search).startsWith(pathPrefix)) return url;
  }
  throw new Error(`No link to ${pathPrefix} in the text part of "${mail.subject}":\n${mail.text ?? '(no text part)'}`);
}

/** The token query parameter of the first link to `pathPrefix` in the mail. */
export function tokenIn(mail: CapturedMail, pathPrefix: string): string {
  const token = linkIn(mail, pathPrefix).searchParams.get('token');
  if (!token) throw new Error(`The link to ${pathPrefix} in "${mail.subject}" has no token.`);
  return token;
}
