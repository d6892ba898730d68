// Open-loop load at a fixed rate (issue 20): requests leave on a schedule, whether or not earlier
// ones were answered, and each one's latency runs from the moment it was due, so a server that
// falls behind shows it in its p99 (autocannon's closed loop would wait and hide it; its rate
// option also caps the connections at the rate). Requests go over keep-alive connections of
// `Connections`: one connection per member for the 10,000-member row.
import net from 'node:net';

export type OpenLoopRequest = {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  connections: Connections;
};

export type OpenLoopResult = {
  /** Requests answered, per second of the schedule (to the last answer). */
  rps: number;
  requests: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
};

const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * One keep-alive HTTP/1.1 connection that sends its requests one after another and reads only
 * each answer's status and Content-Length (every answer the bench asks for has one). Node's
 * http client costs the bench process about as much CPU per request as the server it measures,
 * on the same two cores, and its garbage adds pauses of its own to the latencies.
 */
class Connection {
  private readonly socket: net.Socket;
  private readonly waiting: ((status: number) => void)[] = [];
  private received: Buffer = Buffer.alloc(0);
  open = true;

  constructor(url: URL) {
    this.socket = net.connect(Number(url.port), url.hostname);
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk) => this.read(chunk));
    this.socket.on('error', () => this.close());
    this.socket.on('close', () => this.close());
  }

  /** Resolves with the answer's status, or 0 when the connection failed first. */
  send(bytes: Buffer): Promise<number> {
    if (!this.open) return Promise.resolve(0);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.socket.write(bytes);
    });
  }

  private read(chunk: Buffer): void {
    this.received = this.received.length ? Buffer.concat([this.received, chunk]) : chunk;
    for (;;) {
      const headEnd = this.received.indexOf(HEAD_END);
      if (headEnd < 0) return;
      const head = this.received.toString('latin1', 0, headEnd);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (!length) return this.close();
      const end = headEnd + HEAD_END.length + Number(length[1]);
      if (this.received.length < end) return;
      this.received = this.received.subarray(end);
      this.waiting.shift()?.(Number(head.slice(9, 12)));
    }
  }

  close(): void {
    this.open = false;
    this.socket.destroy();
    for (const resolve of this.waiting.splice(0)) resolve(0);
  }
}

/** Keep-alive connections to one server, opened as needed up to `max`; a request waits for a free one beyond that. */
export class Connections {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly queued: (() => void)[] = [];

  constructor(
    private readonly url: URL,
    private readonly max = Infinity,
  ) {}

  async send(request: Omit<OpenLoopRequest, 'connections'>): Promise<number> {
    const body = request.body ?? '';
    const headers = {
      host: this.url.host,
      ...request.headers,
      ...(body ? { 'content-length': Buffer.byteLength(body) } : {}),
    };
    const bytes = Buffer.from(
      `${request.method} ${request.path} HTTP/1.1\r\n${Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('')}\r\n${body}`,
    );
    const connection = await this.take();
    const status = await connection.send(bytes);
    if (connection.open) this.give(connection);
    else this.all.delete(connection);
    return status;
  }

  private async take(): Promise<Connection> {
    for (let connection = this.idle.pop(); connection; connection = this.idle.pop())
      if (connection.open) return connection;
    if (this.all.size < this.max) {
      const connection = new Connection(this.url);
      this.all.add(connection);
      return connection;
    }
    await new Promise<void>((resolve) => this.queued.push(resolve));
    return this.take();
  }

  private give(connection: Connection): void {
    this.idle.push(connection);
    this.queued.shift()?.();
  }

  /** Connections open now. */
  get size(): number {
    return [...this.all].filter((connection) => connection.open).length;
  }

  close(): void {
    for (const connection of this.all) connection.close();
    this.all.clear();
  }
}

/** One request; resolves with its status, or 0 when the connection failed. */
export const send = (request: OpenLoopRequest): Promise<number> => request.connections.send(request);

const percentile = (sorted: number[], p: number) =>
  sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 10) / 10 : 0;

/**
 * Sends `rate` requests a second for `seconds`, evenly spaced, the n-th built by `request(n)`.
 * The timer checks every millisecond and sends every request that has come due by then.
 */
export async function openLoop(
  rate: number,
  seconds: number,
  request: (n: number) => OpenLoopRequest,
): Promise<OpenLoopResult> {
  const total = Math.max(1, Math.round(rate * seconds));
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let lastAnswer = 0;
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && started + (sent * 1000) / rate <= now) {
        const due = started + (sent * 1000) / rate;
        inFlight.push(
          send(request(sent)).then((status) => {
            lastAnswer = performance.now();
            latencies.push(lastAnswer - due);
            if (status === 0) errors++;
            else if (status < 200 || status > 299) non2xx++;
          }),
        );
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await Promise.all(inFlight);
  latencies.sort((a, b) => a - b);
  return {
    rps: Math.round(total / Math.max((lastAnswer - started) / 1000, 0.001)),
    requests: total,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: percentile(latencies, 1),
    errors,
    non2xx,
  };
}
