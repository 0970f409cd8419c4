import type { Sample } from "./load.ts";

export const isFailure = (sample: Sample) => sample.status < 200 || sample.status > 299;

/** The p-th percentile of the answered requests' latencies, in ms. */
export function percentile(samples: Sample[], p: number): number {
  const latencies = samples
    .filter((s) => s.status !== 0)
    .map((s) => s.latencyMs)
    .sort((a, b) => a - b);
  if (latencies.length === 0) return 0;
  return latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? 0;
}

/** Counts per status (0 = no response), e.g. `{ "200": 2950, "502": 12 }`. */
export function statusCounts(samples: Sample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of samples) counts[s.status] = (counts[s.status] ?? 0) + 1;
  return counts;
}

export interface DrillSummary {
  sent: number;
  failed: number;
  p99Ms: number;
  recoveryMs: number;
}

export function summarize(samples: Sample[], recoveryMs: number): DrillSummary {
  return {
    sent: samples.length,
    failed: samples.filter(isFailure).length,
    p99Ms: Math.round(percentile(samples, 99)),
    recoveryMs: Math.round(recoveryMs),
  };
}

/** Prints the drill's one-line summary (and a detail line) and returns the summary. */
export function report(name: string, summary: DrillSummary, detail: string): DrillSummary {
  console.log(
    `drill ${name}: sent=${summary.sent} failed=${summary.failed} p99=${summary.p99Ms}ms recovery=${summary.recoveryMs}ms`,
  );
  console.log(`drill ${name} detail: ${detail}`);
  return summary;
}

/** Polls an async check every 100 ms until it holds, or throws after the timeout. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check().catch(() => false)) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
