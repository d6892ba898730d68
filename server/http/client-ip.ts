import type { IncomingHttpHeaders } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { TrustProxy } from '#server/config.ts';
import type { Client } from '#server/deps.ts';

// Ours rather than Fastify's req.ip: Fastify 5 trusts no hop at all for a number of hops, and for
// the other forms returns whatever text it stops at ("garbage", 10 KiB of it) as the address.

/**
 * The longest text form of an IP address (IPv6 with an IPv4 tail) is 45 characters; isIP also
 * takes a zone index of any length (fe80::1%eth0…), which must not reach the 64-character ip column.
 */
const MAX_IP_LENGTH = 45;

const isAddress = (value: string) => value.length <= MAX_IP_LENGTH && isIP(value) !== 0;

/** What the address is read from: a Fastify request, or Node's own. */
type Incoming = { headers: IncomingHttpHeaders; socket: { remoteAddress?: string } };

/** The X-Forwarded-For entries that are IP addresses, nearest hop first; any other entry is ignored. */
function forwardedAddresses(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(',') : header;
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter(isAddress)
    .reverse();
}

// Compiled once per Config (its list is never changed).
const proxyLists = new WeakMap<string[], BlockList>();

function isListedProxy(address: string, proxies: string[]): boolean {
  let list = proxyLists.get(proxies);
  if (!list) {
    list = new BlockList();
    for (const entry of proxies) {
      const [network = '', prefix] = entry.split('/');
      const family = isIP(network) === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) list.addAddress(network, family);
      else list.addSubnet(network, Number(prefix), family);
    }
    proxyLists.set(proxies, list);
  }
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The client's IP address under TRUST_PROXY (API.md §11): the socket's peer, or the X-Forwarded-For
 * entry just beyond the trusted proxies. Always the socket's address or a valid IP address that
 * fits the ip column; when the header offers none, the nearest trusted one stands.
 */
export function clientIp(req: Incoming, trust: TrustProxy): string {
  const socketAddress = req.socket.remoteAddress ?? '';
  if (trust === false) return socketAddress;
  const trusted =
    trust === true
      ? () => true
      : 'hops' in trust
        ? (_address: string, hop: number) => hop < trust.hops
        : (address: string) => isListedProxy(address, trust.proxies);
  // From the socket's peer (hop 0) outwards: each trusted hop vouches for the address before it.
  let client = socketAddress;
  for (const [hop, address] of forwardedAddresses(req.headers['x-forwarded-for']).entries()) {
    if (!trusted(client, hop)) break;
    client = address;
  }
  return client;
}

const MAX_USER_AGENT = 512;

/** Who is calling, as far as the network tells (TRUST_PROXY for the address): kept on sessions and events. */
export function clientOf(req: Incoming, trust: TrustProxy): Client {
  return { ip: clientIp(req, trust), userAgent: (req.headers['user-agent'] ?? '').slice(0, MAX_USER_AGENT) };
}
