import type net from 'node:net';
import dns2 from 'dns2';

/**
 * A local DNS server on 127.0.0.1 for the domain verification tests (API.md §15: `DNS_SERVERS`
 * points the server's resolver here). It answers TXT queries for the names set with `setTxt`
 * and NXDOMAIN for everything else; UDP and TCP on the same port, as a resolver retries a
 * truncated UDP answer over TCP to the same address.
 */
export type DnsServer = {
  /** '127.0.0.1:PORT', the form of DNS_SERVERS and Resolver.setServers. */
  address: string;
  port: number;
  /** One TXT record per value (replacing the name's records). */
  setTxt(name: string, values: string[]): void;
  clear(name: string): void;
  /** Every question asked, oldest first, as "name TYPE". */
  queries: string[];
  close(): Promise<void>;
};

const { Packet } = dns2;
const normalize = (name: string) => name.toLowerCase().replace(/\.$/, '');
// A character-string holds at most 255 octets (RFC 1035 §3.3): longer values become several.
const chunks = (value: string) =>
  Buffer.from(value, 'utf8')
    .toString('latin1')
    .match(/[^]{1,255}/g) ?? [''];

export async function startDnsServer(): Promise<DnsServer> {
  const records = new Map<string, string[]>();
  const queries: string[] = [];
  const typeName = (type: number) => Object.entries(Packet.TYPE).find(([, value]) => value === type)?.[0] ?? type;

  const handle: dns2.DnsHandler = (request, send) => {
    const response = Packet.createResponseFromRequest(request);
    response.header.aa = 1; // authoritative, so no resolver goes looking elsewhere
    const question = request.questions[0];
    const name = question ? normalize(question.name) : '';
    if (question) queries.push(`${name} ${typeName(question.type)}`);
    const values = records.get(name);
    if (!values) response.header.rcode = Packet.RCODE.NXDOMAIN;
    else if (question?.type === Packet.TYPE.TXT) {
      for (const value of values) {
        response.answers.push({
          name: question.name,
          type: Packet.TYPE.TXT,
          class: Packet.CLASS.IN,
          ttl: 0, // never cached: a test changes records between look-ups
          data: chunks(value).map((chunk) => Buffer.from(chunk, 'latin1')),
        } as any);
      }
    } // a known name asked for another type: NOERROR without answers (NODATA)
    void send(response);
  };

  // UDP on a free port, then TCP on the same one (another process may hold it for TCP: try again).
  for (let attempt = 1; ; attempt++) {
    const udp = dns2.createUDPServer(handle);
    await udp.listen(0, '127.0.0.1');
    const port = udp.address().port;
    const tcp = dns2.createTCPServer(handle);
    const sockets = new Set<net.Socket>();
    tcp.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    const listening = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!listening) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      if (attempt < 5) continue;
      throw new Error('no port free for both UDP and TCP');
    }
    return {
      address: `127.0.0.1:${port}`,
      port,
      setTxt: (name, values) => void records.set(normalize(name), [...values]),
      clear: (name) => void records.delete(normalize(name)),
      queries,
      close: async () => {
        await new Promise<void>((resolve) => udp.close(() => resolve()));
        const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
        for (const socket of sockets) socket.destroy(); // a resolver may keep its TCP connection open
        await closed;
      },
    };
  }
}
