import type { Compilable, InferResult } from "kysely";

/**
 * The type of one row of a query: every feature types its rows by the query that selects them
 * (`type NoteRow = RowOf<ReturnType<typeof selectNotes>>`), so the types follow the generated table
 * types (schema.ts) and the select list, and cannot drift from either.
 */
export type RowOf<Q extends Compilable<unknown>> = InferResult<Q>[number];
