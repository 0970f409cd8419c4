/// <reference path="../types/autocannon.d.ts" />
import { Agent, request as httpRequest } from "node:http";
import autocannon, { type Request } from "autocannon";

export interface LoadOptions {
  baseUrl: string;
  connections: number;
  durationS: number;
  warmupS: number;
  /**
   * Fixed overall request rate (req/s), sent open-loop at even intervals over `connections`
   * keep-alive sockets (see `paced`); unset = closed loop, as fast as the server answers.
   */
  rate?: number;
  /** Builds each request (method, path, headers, body); called once per request. */
  next: () => Request;
  /** Statuses that count as success (default: 2xx). */
  ok?: (status: number) => boolean;
}

export interface LoadResult {
  rps: number;
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  /** The slowest request. */
  max: number;
  /** Responses per status code plus socket errors and timeouts; anything not ok fails the scenario. */
  statuses: Record<string, number>;
  failures: number;
}

function once(options: LoadOptions, durationS: number, latencies?: number[], statuses?: Record<string, number>) {
  return new Promise<{ durationS: number; errors: number }>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.baseUrl,
        connections: options.connections,
        duration: durationS,
        timeout: 10,
        requests: [{ setupRequest: (request) => ({ ...request, ...options.next() }) }],
      },
      (error, result) => {
        if (error) reject(error);
        else resolve({ durationS: result.duration, errors: result.errors + result.timeouts });
      },
    );
    if (latencies && statuses) {
      instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
        latencies.push(ms);
        statuses[status] = (statuses[status] ?? 0) + 1;
      });
    }
  });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/**
 * Open-loop load at a fixed rate: request i is due at start + i / rate, whether or not earlier ones
 * have answered, and its latency counts from that due time (a request that waits for a free socket
 * is late, and the wait is part of its latency: no coordinated omission).
 *
 * autocannon's own rate option is not used for this: each connection sends its per-second quota
 * back to back and then idles until the next second, so "850 req/s" is really a burst at full
 * concurrency every second, and its latencies are those of saturation, whatever the rate.
 */
function paced(
  options: LoadOptions & { rate: number },
  durationS: number,
  latencies?: number[],
  statuses?: Record<string, number>,
) {
  const url = new URL(options.baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const total = Math.round(options.rate * durationS);
  const intervalMs = 1000 / options.rate;
  let sent = 0;
  let done = 0;
  let errors = 0;
  const started = performance.now();
  return new Promise<{ durationS: number; errors: number }>((resolve) => {
    const finish = () => {
      if (++done < total) return;
      agent.destroy();
      resolve({ durationS: (performance.now() - started) / 1000, errors });
    };
    const fire = (dueAt: number) => {
      const { method = "GET", path = "/", headers = {}, body } = options.next();
      const req = httpRequest(
        { host: url.hostname, port: url.port, method, path, headers, agent, timeout: 10_000 },
        (res) => {
          res.resume();
          res.on("end", () => {
            latencies?.push(performance.now() - dueAt);
            if (statuses) statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
            finish();
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", () => {
        errors++;
        finish();
      });
      req.end(body as string | undefined);
    };
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - started) / intervalMs) + 1);
      while (sent < due) fire(started + sent++ * intervalMs);
      if (sent < total) setTimeout(tick, Math.max(0, started + sent * intervalMs - performance.now()));
    };
    tick();
  });
}

/** A warm-up (discarded), then a fixed-duration run with every latency recorded. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const run = (durationS: number, latencies?: number[], statuses?: Record<string, number>) =>
    options.rate
      ? paced({ ...options, rate: options.rate }, durationS, latencies, statuses)
      : once(options, durationS, latencies, statuses);
  if (options.warmupS > 0) await run(options.warmupS);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const { durationS, errors } = await run(options.durationS, latencies, statuses);
  const ok = options.ok ?? ((status: number) => status >= 200 && status < 300);
  let failures = errors;
  for (const [status, count] of Object.entries(statuses)) if (!ok(Number(status))) failures += count;
  if (errors > 0) statuses.errors = errors;
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    rps: Math.round(latencies.length / durationS),
    requests: latencies.length,
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies.at(-1) ?? Number.NaN),
    statuses,
    failures,
  };
}
