import { type SqlBool, sql } from "kysely";

/**
 * `GET /clients?q=`: a term of 3 or more characters matches anywhere in the name or the email; a
 * shorter one matches their beginning (docs/api.md § Lists). Both are answered from the roster's
 * trigram index (`clients_search_idx`: the coach id and the trigrams of name and email in one GIN
 * index, migration 0005), case-insensitively:
 * - a substring needs at least one trigram: pg_trgm extracts none from a pattern of one or two
 *   characters between wildcards, and the index would have to return the whole roster to recheck;
 * - a prefix (`ab%`) has one: pg_trgm pads the start of every word with two blanks, so `ab%` yields
 *   "  a" and " ab" ("F.35 pg_trgm", Postgres' docs), which narrows to words starting with it.
 * Where a term is common the planner may instead walk the list's own index and stop after a page.
 */
export const MIN_SUBSTRING_TERM = 3;

export type SearchKind = "substring" | "prefix";

export function searchKind(term: string): SearchKind {
  // Characters, not UTF-16 units: trigrams are made of characters.
  return [...term].length >= MIN_SUBSTRING_TERM ? "substring" : "prefix";
}

/** `%`, `_` and `\` in a term are literals, not LIKE wildcards. */
export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The search predicate on `clients`, for a term already passed through `escapeLike`. The wildcards
 * are added in SQL, so each kind is its own statement text: a prepared statement's generic plan is
 * then made for substrings or for prefixes, never for a mix of both.
 */
export function matchesSearch(kind: SearchKind, escapedTerm: string) {
  const pattern = kind === "substring" ? sql`'%' || ${escapedTerm} || '%'` : sql`${escapedTerm} || '%'`;
  return sql<SqlBool>`(${sql.ref("clients.name")} ilike ${pattern} or ${sql.ref("clients.email")} ilike ${pattern})`;
}
