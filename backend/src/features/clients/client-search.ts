import { type SqlBool, sql } from "kysely";

/**
 * `GET /clients?q=` (docs/api.md § Lists), case-insensitive:
 * - a term of 3 or more characters matches anywhere in the name or the email;
 * - a shorter one matches the start of the name, of a word of the name (after a space) or of the
 *   email: `sm` finds "Anna Smith" and "smith@example.com".
 * Both are conditions on `name || ' ' || email`, the expression of the roster's trigram index
 * (`clients_search_idx`, migration 0005), so Postgres can answer them from it:
 * - a substring of 3+ characters has trigrams of its own;
 * - a substring of one or two has none: pg_trgm extracts none between wildcards, and the index
 *   would return the whole roster to recheck. A start of a word has: pg_trgm pads every word with
 *   two blanks in front, so `ab%` and `% ab%` yield "  a" and " ab" (Postgres docs, pg_trgm: "each
 *   word is considered to have two spaces prefixed").
 * Where a term is common the planner walks the list's own index instead and stops after a page; its
 * estimate of a term's share comes from the statistics ANALYZE keeps for the index expression.
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
 * The search predicate on `clients`, for a term passed through `escapeLike`. The wildcards are added
 * in SQL, so each kind is a statement text of its own, planned for its term (client-queries.ts).
 */
export function matchesSearch(kind: SearchKind, escapedTerm: string) {
  const name = sql.ref("clients.name");
  const email = sql.ref("clients.email");
  // Exactly the index's expression, or the planner cannot match it to the index.
  const text = sql`(${name} || ' ' || coalesce(${email}, ''))`;
  if (kind === "prefix") {
    return sql<SqlBool>`(${text} ilike (${escapedTerm} || '%') or ${text} ilike ('% ' || ${escapedTerm} || '%'))`;
  }
  const pattern = sql`('%' || ${escapedTerm} || '%')`;
  // The index finds the term in name and email joined; the second condition drops the entries where
  // it only spans the two.
  return sql<SqlBool>`(${text} ilike ${pattern} and (${name} ilike ${pattern} or ${email} ilike ${pattern}))`;
}
