import type { CompiledQuery } from "kysely";

const marked = new WeakSet<CompiledQuery>();

/**
 * Marks a statement to be sent unprepared, so that Postgres plans it for its own parameter values
 * every time. Statements are otherwise prepared (pipelined-dialect.ts), and after five executions
 * Postgres may switch a prepared statement to its generic plan, made without the values: for a
 * roster search that plan cannot tell a rare term from a common one, and walked a 20,000-entry
 * roster to find one match (backend/test/list-query-plans.test.ts). Planning costs a fraction of a
 * millisecond, so this is for statements whose best plan depends on the values. Such a statement
 * takes strings, numbers and null only, and goes to Postgres in one write (pipelined-dialect.ts).
 */
export function planEachTime<Q extends CompiledQuery>(query: Q): Q {
  marked.add(query);
  return query;
}

export function isPlannedEachTime(query: CompiledQuery): boolean {
  return marked.has(query);
}
