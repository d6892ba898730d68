// Open-loop load at a fixed rate (issue 20): requests leave on a schedule, whether or not earlier
// ones were answered, and each one's latency runs from the moment it was due, so a server that
// falls behind shows it in its p99 (autocannon's closed loop would wait and hide it; its rate
// option also caps the connections at the rate). Requests go through node:http agents that keep
// their connections alive: one agent of one connection per member for the 10,000-member row.
import http from 'node:http';

export type OpenLoopRequest = {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  agent: http.Agent;
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

/** One request; resolves with its status, or 0 when the connection failed. */
export function send(url: URL, request: OpenLoopRequest): Promise<number> {
  return new Promise((resolve) => {
    const outgoing = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        headers: request.body
          ? { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) }
          : request.headers,
        agent: request.agent,
      },
      (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? 0));
        response.once('error', () => resolve(0));
      },
    );
    outgoing.once('error', () => resolve(0));
    outgoing.end(request.body);
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 10) / 10 : 0;

/**
 * Sends `rate` requests a second for `seconds`, evenly spaced, the n-th built by `request(n)`.
 * The timer checks every millisecond and sends every request that has come due by then.
 */
export async function openLoop(
  base: string,
  rate: number,
  seconds: number,
  request: (n: number) => OpenLoopRequest,
): Promise<OpenLoopResult> {
  const url = new URL(base);
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
          send(url, request(sent)).then((status) => {
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
