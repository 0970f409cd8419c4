import postgres from "postgres";
import { percentile } from "./load.ts";

export interface RawQueryResult {
  qps: number;
  queries: number;
  p50: number;
  p99: number;
}

/**
 * The floor for the data path: postgres.js alone running the list query of GET /api/v1/clients
 * (the statement text pg_stat_statements recorded for that route) with the app's pool size and the
 * bench's concurrency, as prepared statements like the app.
 */
export interface RawQueryOptions {
  url: string;
  query: string;
  /** Parameter lists, used in turn. */
  params: (string | number)[][];
  poolMax: number;
  concurrency: number;
  durationS: number;
  warmupS: number;
}

export async function runRawQueryLoop(options: RawQueryOptions): Promise<RawQueryResult> {
  if (options.params.length === 0) throw new Error("runRawQueryLoop: no parameter lists");
  const sql = postgres(options.url, { max: options.poolMax, onnotice: () => {} });
  const loop = async (untilMs: number, latencies?: number[]) => {
    let i = 0;
    const worker = async (w: number) => {
      while (performance.now() < untilMs) {
        const started = performance.now();
        const params = options.params[(w + i++) % options.params.length] as (string | number)[];
        const rows = await sql.unsafe(options.query, params, { prepare: true });
        latencies?.push(performance.now() - started);
        if (rows.length === 0) throw new Error("raw list query returned no rows");
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, (_, w) => worker(w)));
  };
  try {
    await loop(performance.now() + options.warmupS * 1000);
    const latencies: number[] = [];
    const started = performance.now();
    await loop(started + options.durationS * 1000, latencies);
    const elapsedS = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const round = (n: number) => Math.round(n * 1000) / 1000;
    return {
      qps: Math.round(latencies.length / elapsedS),
      queries: latencies.length,
      p50: round(percentile(latencies, 50)),
      p99: round(percentile(latencies, 99)),
    };
  } finally {
    await sql.end();
  }
}
