import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '#server/config.ts';
import { cookiePathFor } from '#server/http/rest-shape.ts';
import { constantTimeEqual } from '#server/lib/hash.ts';

const MAX_ACCOUNTS = 10;
const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

/**
 * The signed `device` cookie of API.md §6: the accounts that have signed in from this browser.
 * Their owner's failures here are not counted, so an attacker who knows only an email cannot
 * lock its owner out of their own devices.
 */
export type DeviceCookies = {
  knownAccounts(request: FastifyRequest): string[];
  remember(request: FastifyRequest, reply: FastifyReply, userId: string): void;
};

export function deviceCookies(config: Pick<Config, 'secureCookies'>, key: Buffer): DeviceCookies {
  const name = config.secureCookies ? '__Secure-device' : 'device';
  const sign = (payload: string) => createHmac('sha256', key).update(`device/${payload}`).digest('base64url');

  const knownAccounts = (request: FastifyRequest): string[] => {
    const value = request.cookies[name];
    const [payload = '', signature = ''] = value?.split('.') ?? [];
    if (!payload || !constantTimeEqual(sign(payload), signature)) return [];
    try {
      const ids = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
      return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string').slice(0, MAX_ACCOUNTS) : [];
    } catch {
      return [];
    }
  };

  return {
    knownAccounts,
    remember(request, reply, userId) {
      const ids = [userId, ...knownAccounts(request).filter((id) => id !== userId)].slice(0, MAX_ACCOUNTS);
      const payload = Buffer.from(JSON.stringify(ids)).toString('base64url');
      reply.setCookie(name, `${payload}.${sign(payload)}`, {
        httpOnly: true,
        sameSite: 'strict',
        path: cookiePathFor(request.url),
        secure: config.secureCookies,
        maxAge: ONE_YEAR_SECONDS,
      });
    },
  };
}
