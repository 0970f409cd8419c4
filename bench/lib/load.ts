import autocannon, { type Request } from "autocannon";

export interface LoadOptions {
  baseUrl: string;
  connections: number;
  durationS: number;
  warmupS: number;
  /** Fixed overall request rate (req/s); unset = as fast as the server answers. */
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
        overallRate: options.rate,
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

/** A warm-up (discarded), then a fixed-duration autocannon run with every latency recorded. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  if (options.warmupS > 0) await once(options, options.warmupS);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const { durationS, errors } = await once(options, options.durationS, latencies, statuses);
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
    statuses,
    failures,
  };
}
