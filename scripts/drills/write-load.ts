import { sleep } from "./drill-report.ts";

/** One write of the load: `id` is the created row's, for the acknowledged (2xx) ones. */
export interface WriteSample {
  sentAt: number;
  at: number;
  status: number;
  id?: string;
  error?: string;
}

export interface WriteLoad {
  samples: WriteSample[];
  /** Stops sending and waits for every request in flight. */
  stop(): Promise<WriteSample[]>;
}

/**
 * Creates roster entries (POST /api/v1/clients) at a fixed rate, alternating between the APIs
 * and the users' bearer tokens, and records each answer: the acknowledged ids are what must
 * survive a failover. A request unanswered after `timeoutMs` is status 0 (a hang).
 */
export function startWriteLoad(options: {
  apis: string[];
  tokens: string[];
  ratePerS: number;
  timeoutMs?: number;
  prefix: string;
}): WriteLoad {
  const samples: WriteSample[] = [];
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let n = 0;
  const send = async (i: number) => {
    const api = options.apis[i % options.apis.length] as string;
    const token = options.tokens[i % options.tokens.length] as string;
    const sentAt = Date.now();
    try {
      const response = await fetch(`${api}/api/v1/clients`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ name: `${options.prefix} ${i}` }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
      const text = await response.text();
      const sample: WriteSample = { sentAt, at: Date.now(), status: response.status };
      if (response.ok) sample.id = (JSON.parse(text) as { id: string }).id;
      else sample.error = text.slice(0, 200);
      samples.push(sample);
    } catch (error) {
      samples.push({ sentAt, at: Date.now(), status: 0, error: String(error) });
    }
  };
  const loop = (async () => {
    const interval = 1000 / options.ratePerS;
    const started = performance.now();
    while (!stopped) {
      const request = send(n++);
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request));
      const next = started + n * interval;
      await sleep(Math.max(0, next - performance.now()));
    }
  })();
  return {
    samples,
    async stop() {
      stopped = true;
      await loop;
      await Promise.all([...inFlight]);
      return samples.sort((a, b) => a.at - b.at);
    },
  };
}

/** The longest stretch without an acknowledged write, and when it began (ms since the epoch). */
export function longestWriteGap(samples: WriteSample[]): { gapMs: number; from: number } {
  const acked = samples.filter((s) => s.id !== undefined).map((s) => s.at);
  acked.sort((a, b) => a - b);
  let gapMs = 0;
  let from = 0;
  for (let i = 1; i < acked.length; i++) {
    const gap = (acked[i] as number) - (acked[i - 1] as number);
    if (gap > gapMs) {
      gapMs = gap;
      from = acked[i - 1] as number;
    }
  }
  return { gapMs, from };
}

/** Counts of each status, e.g. {"201": 812, "503": 40}. */
export function statusesOf(samples: WriteSample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const sample of samples) counts[sample.status] = (counts[sample.status] ?? 0) + 1;
  return counts;
}
