import { type SqlBool, sql } from "kysely";

/**
 * `GET /clients?q=` (docs/api.md § Lists), case-insensitive:
 * - a term of 3 or more characters matches anywhere in the name or the email;
 * - a shorter one matches the start of the name, of a word of the name (after a space) or of the
 *   email: `sm` finds "Anna Smith" and "smith@example.com".
 * Both are LIKE conditions on `lower(name || ' ' || email)`, the expression of the roster's trigram
 * index (`clients_search_trgm_idx`, migration 0006), so Postgres can answer them from it:
 * - a substring of 3+ characters has trigrams of its own;
 * - a substring of one or two has none: pg_trgm extracts none between wildcards, and the index
 *   would return the whole roster to recheck. A start of a word has: pg_trgm pads every word with
 *   two blanks in front, so `ab%` and `% ab%` yield "  a" and " ab" (Postgres docs, pg_trgm: "each
 *   word is considered to have two spaces prefixed").
 * LIKE on `lower()` of both sides is what ILIKE does in a UTF-8 database, but the planner estimates
 * a LIKE from the expression's statistics without lower-casing each sampled value per search.
 * Where a term is common the planner walks the list's own index instead and stops after a page; its
 * estimate of a term's share comes from the statistics ANALYZE keeps for the index expression.
 */
export const MIN_SUBSTRING_TERM = 3;

/**
 * - `prefix`: 1–2 characters, the start of the name, a word of it or the email;
 * - `substring`: 3+ characters without a space, anywhere: it cannot span the space that joins name
 *   and email, so a match in the joined text is a match in one of them;
 * - `phrase`: 3+ characters with a space, anywhere in the name or the email but not across them.
 */
export type SearchKind = "prefix" | "substring" | "phrase";

/** The kind of a term, as the API receives it (trimmed: it neither starts nor ends with a space). */
export function searchKind(term: string): SearchKind {
  // Characters, not UTF-16 units: trigrams are made of characters.
  if ([...term].length < MIN_SUBSTRING_TERM) return "prefix";
  return term.includes(" ") ? "phrase" : "substring";
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
  const text = sql`lower(${name} || ' ' || coalesce(${email}, ''))`;
  const term = sql`lower(${escapedTerm})`;
  if (kind === "prefix") {
    return sql<SqlBool>`(${text} like (${term} || '%') or ${text} like ('% ' || ${term} || '%'))`;
  }
  const pattern = sql`('%' || ${term} || '%')`;
  if (kind === "substring") return sql<SqlBool>`${text} like ${pattern}`;
  // The index finds the phrase in name and email joined; the second condition drops the entries
  // where it only spans the two. Only phrases need it: the planner multiplies the two conditions'
  // estimates as if they were independent, and for a common term that product made the list's own
  // index look dearer than reading every match (25 ms instead of 1 ms for "anna" at 200,000).
  return sql<SqlBool>`(${text} like ${pattern} and (lower(${name}) like ${pattern} or lower(${email}) like ${pattern}))`;
}
