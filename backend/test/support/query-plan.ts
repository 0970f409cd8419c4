import type { CompiledQuery } from "kysely";
import type postgres from "postgres";

/** A node of `EXPLAIN (FORMAT JSON)` output, with the fields the plan tests read. */
export interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  "Rows Removed by Filter"?: number;
  Plans?: PlanNode[];
}

/** Every node of a plan, depth first. */
export function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

/** The nodes that read `table` (scans of it or of its indexes' heap). */
export function scansOf(plan: PlanNode, table: string): PlanNode[] {
  return nodesOf(plan).filter((node) => node["Relation Name"] === table);
}

/** One line per node, indented: "Bitmap Index Scan clients_search_idx [Index Cond …]", for messages. */
export function outline(plan: PlanNode, depth = 0): string {
  const self = [plan["Node Type"], plan["Index Name"] ?? plan["Relation Name"] ?? ""].join(" ").trim();
  const detail = plan["Index Cond"] ? ` [${plan["Index Cond"]}]` : "";
  const removed = plan["Rows Removed by Filter"] ? ` (${plan["Rows Removed by Filter"]} removed by filter)` : "";
  return [
    `${"  ".repeat(depth)}${self}${detail}${removed}`,
    ...(plan.Plans ?? []).map((p) => outline(p, depth + 1)),
  ].join("\n");
}

function literal(value: unknown): string {
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (value instanceof Date) return `'${value.toISOString()}'`;
  if (typeof value === "string") return `'${value.replaceAll("'", "''")}'`;
  throw new Error(`planOf: no literal for ${typeof value}`);
}

/**
 * `EXPLAIN ANALYZE` of a statement the app sent, as a custom plan (made for these parameter values,
 * as Postgres plans a prepared statement's first executions) or as the generic plan it may switch
 * to afterwards (postgres.js prepares every statement), forced with plan_cache_mode.
 */
export async function planOf(sql: postgres.Sql, query: CompiledQuery, mode: "custom" | "generic"): Promise<PlanNode> {
  const session = await sql.reserve();
  try {
    if (mode === "custom") {
      const rows = await session.unsafe(`explain (analyze, format json) ${query.sql}`, [
        ...query.parameters,
      ] as postgres.ParameterOrJSON<never>[]);
      return rows[0]?.["QUERY PLAN"][0].Plan as PlanNode;
    }
    await session.unsafe("set plan_cache_mode = force_generic_plan");
    await session.unsafe(`prepare plan_test as ${query.sql}`);
    try {
      const args = query.parameters.map(literal).join(", ");
      const rows = await session.unsafe(`explain (analyze, format json) execute plan_test(${args})`);
      return rows[0]?.["QUERY PLAN"][0].Plan as PlanNode;
    } finally {
      await session.unsafe("deallocate plan_test");
      await session.unsafe("reset plan_cache_mode");
    }
  } finally {
    session.release();
  }
}
