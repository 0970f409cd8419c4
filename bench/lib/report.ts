import type { Budget } from "./budgets.ts";
import type { StatementCount } from "./query-count.ts";

export interface Row {
  name: string;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  baseline?: string;
  ratio?: number;
  statuses?: Record<string, number>;
  failures?: number;
}

const fmt = (n: number | undefined, digits = 1) => (n === undefined || Number.isNaN(n) ? "–" : n.toFixed(digits));

function table(headers: string[], lines: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const render = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  return [render(headers), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...lines.map(render)].join("\n");
}

/** Prints the scenario table, the statement counts and the budgets (stdout, Markdown). */
export function printReport(summary: {
  mode: string;
  connections: number;
  userPool: number;
  rows: Row[];
  coldStartMs: number;
  rssMb: number;
  loadSeconds: number;
  statements: Record<string, StatementCount>;
  mixed: { capacityRpsAtP95Under100ms: number };
  budgets: Budget[];
}): void {
  const out: string[] = [];
  out.push(
    `\n## pnpm bench (${summary.mode}): autocannon -c ${summary.connections}, ${summary.userPool} users round-robin\n`,
  );
  out.push(scenarioTable(summary.rows));
  out.push(
    `\nAPI process: cold start ${summary.coldStartMs} ms · RSS ${summary.rssMb} MB after ${Math.round(summary.loadSeconds)} s of load · mixed capacity at p95 < 100 ms: ${summary.mixed.capacityRpsAtP95Under100ms} req/s\n`,
  );
  for (const [route, count] of Object.entries(summary.statements)) {
    out.push(`SQL statements per ${route}: ${count.statementsPerRequest} (over ${count.requests} requests)`);
    for (const s of count.statements) out.push(`  ${s.calls}× ${s.query.replace(/\s+/g, " ").slice(0, 140)}`);
  }
  out.push("");
  out.push(budgetTable(summary.budgets));
  console.log(out.join("\n"));
}

/** `pnpm bench --scale-only`: the scale scenario's rows and budgets. */
export function printScaleReport(rows: Row[], budgets: Budget[]): void {
  console.log(["\n## pnpm bench --scale-only\n", scenarioTable(rows), "", budgetTable(budgets)].join("\n"));
}

function scenarioTable(rows: Row[]): string {
  return table(
    ["scenario", "req/s", "p50 ms", "p95 ms", "p99 ms", "ratio to baseline", "statuses"],
    rows.map((r) => [
      r.name,
      String(r.rps),
      fmt(r.p50, r.p50 < 1 ? 3 : 1),
      fmt(r.p95),
      fmt(r.p99, r.p99 < 1 ? 3 : 1),
      r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}× ${r.baseline}`,
      Object.entries(r.statuses ?? {})
        .map(([s, n]) => `${s}:${n}`)
        .join(" "),
    ]),
  );
}

function budgetTable(budgets: Budget[]): string {
  return table(
    ["budget", "limit", "actual", "result"],
    budgets.map((b) => [
      b.name,
      b.limit,
      b.actual,
      `${b.pass ? "pass" : b.enforced ? "FAIL" : "over budget"}${b.relaxed ? ` (${b.relaxed})` : ""}`,
    ]),
  );
}
