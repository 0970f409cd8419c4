export interface Budget {
  name: string;
  limit: string;
  actual: string;
  pass: boolean;
  /** Why the check is weaker in --quick mode, when it is. */
  relaxed?: string;
  /** False for timing budgets in --quick mode: reported, but they do not decide the exit code. */
  enforced: boolean;
}

// Three-second scenarios on a shared two-core machine swing by tens of percent from run to run;
// `--quick` (the smoke check inside `pnpm test`) enforces only what a short run measures reliably.
const QUICK_NOT_ENFORCED = "timing figures from 3 s runs are reported, not enforced, in --quick";

/** The budgets of docs/performance.md § Budgets, from one run's figures. */
export function checkBudgets(figures: {
  quick: boolean;
  healthRps: number;
  bareRps: number;
  clientsP99: number;
  rssMb: number;
  loadSeconds: number;
  coldStartMs: number;
  /** CPU time the API had used when it first answered (undefined where it cannot be read). */
  coldStartCpuMs: number | undefined;
  statementsPerClientsRequest: number;
  failures: Record<string, number>;
  /** p99 of the scale scenario (scale.ts), when it ran. */
  scale?: ScaleP99;
}): Budget[] {
  const ratio = figures.healthRps / figures.bareRps;
  const failed = Object.entries(figures.failures).filter(([, count]) => count > 0);
  return [
    {
      name: "GET /health vs bare node:http",
      limit: "≥ 0.80×",
      actual: `${ratio.toFixed(2)}×`,
      pass: ratio >= 0.8,
      relaxed: figures.quick ? QUICK_NOT_ENFORCED : undefined,
      enforced: !figures.quick,
    },
    {
      name: "GET /api/v1/clients p99 (c=32)",
      limit: "< 25 ms",
      actual: `${figures.clientsP99.toFixed(1)} ms`,
      pass: figures.clientsP99 < 25,
      relaxed: figures.quick ? QUICK_NOT_ENFORCED : undefined,
      enforced: !figures.quick,
    },
    {
      name: "API RSS after load",
      limit: "< 200 MB after ≥ 60 s",
      actual: `${figures.rssMb} MB after ${Math.round(figures.loadSeconds)} s`,
      pass: figures.rssMb < 200 && (figures.quick || figures.loadSeconds >= 60),
      relaxed: figures.quick ? "measured after less than a minute of load; not enforced in --quick" : undefined,
      enforced: !figures.quick,
    },
    coldStartBudget(figures),
    {
      name: "SQL statements per GET /clients",
      limit: "= 1",
      actual: String(figures.statementsPerClientsRequest),
      pass: figures.statementsPerClientsRequest === 1,
      enforced: true,
    },
    {
      name: "unexpected statuses/errors",
      limit: "0",
      actual: failed.length === 0 ? "0" : failed.map(([name, count]) => `${name}: ${count}`).join(", "),
      pass: failed.length === 0,
      enforced: true,
    },
    ...(figures.scale ? scaleBudgets(figures.scale) : []),
  ];
}

const COLD_START_MS = 1500;

/**
 * Cold start to the first `/health` 200. A full run bounds the wall time. On a shared machine the
 * wall time of a CPU-bound start stretches with every other process (4.4–6 s under stress-ng for
 * ~1 s of main-thread CPU), so --quick bounds the CPU time the start's main thread used — the same
 * work, nearly free of the machine's contention — and reports the wall time beside it.
 */
function coldStartBudget(figures: { quick: boolean; coldStartMs: number; coldStartCpuMs: number | undefined }): Budget {
  const wall = `${Math.round(figures.coldStartMs)} ms`;
  const cpu = figures.coldStartCpuMs;
  if (!figures.quick || cpu === undefined) {
    return {
      name: "cold start to /health 200",
      limit: `< ${COLD_START_MS} ms`,
      actual: cpu === undefined ? wall : `${wall} (CPU ${Math.round(cpu)} ms)`,
      pass: figures.coldStartMs < COLD_START_MS,
      enforced: true,
    };
  }
  return {
    name: "cold start to /health 200",
    limit: `< ${COLD_START_MS} ms of CPU`,
    actual: `CPU ${Math.round(cpu)} ms (wall ${wall})`,
    pass: cpu < COLD_START_MS,
    relaxed: "bounds the CPU time of the start, not its wall time, in --quick",
    enforced: true,
  };
}

export interface ScaleP99 {
  firstPage: number;
  deepPage: number;
  search: number;
}

/** A list must not slow down with depth or search as a roster grows: keyset pages and indexed search. */
const SCALE_RATIO = 1.5;

/**
 * The scale scenario's budgets, against its own first page: a page 150,000 rows deep and a search
 * within 1.5× its p99. Only full runs run the scenario, so they are always enforced.
 */
export function scaleBudgets(p99: ScaleP99): Budget[] {
  const limit = p99.firstPage * SCALE_RATIO;
  const budget = (name: string, actual: number): Budget => ({
    name,
    limit: `≤ ${SCALE_RATIO}× first page (${limit.toFixed(1)} ms)`,
    actual: `${actual.toFixed(1)} ms (${(actual / p99.firstPage).toFixed(2)}×)`,
    pass: actual <= limit,
    enforced: true,
  });
  return [
    budget("200k roster: p99 of a page at depth 150k", p99.deepPage),
    budget("200k roster: p99 of a ?q= search", p99.search),
  ];
}
