import { type Compilable, CompiledQuery } from "kysely";
import type { Db } from "./database.ts";
import { planEachTime } from "./planned-each-time.ts";

/** Stands for an argument while the query is built; replaced by the real value on every run. */
type Placeholder = <K extends string>(name: K) => never;

const SENTINEL = "\u0000arg:";

/**
 * A Kysely query compiled once per shape and reused. Building and compiling a query tree costs
 * more CPU and memory per request than the database round trip of a small list (docs/performance.md):
 * on the hottest routes, the builder runs once with placeholders, and each call only maps its
 * arguments onto the compiled parameters. postgres.js prepares the statement once per connection
 * either way.
 *
 * `shape` names the variant (which optional filters are present); `build` must produce the same
 * SQL for the same shape, and may only use `arg(name)` for values that change between calls.
 * `options.planEachTime` names the shapes to send unprepared (planned-each-time.ts).
 */
export function preparedQuery<Args extends Record<string, unknown>, Row, Shape extends string = string>(
  build: (db: Db, arg: Placeholder, shape: Shape) => Compilable<Row>,
  options: { planEachTime?: (shape: Shape) => boolean } = {},
) {
  const compiled = new Map<Shape, { sql: string; names: string[] }>();

  function compile(db: Db, shape: Shape) {
    const arg = ((name: string) => `${SENTINEL}${name}`) as Placeholder;
    const query = build(db, arg, shape).compile();
    const names = query.parameters.map((value) => {
      if (typeof value !== "string" || !value.startsWith(SENTINEL)) {
        throw new Error(`preparedQuery: a parameter is not an arg() placeholder (${String(value)})`);
      }
      return value.slice(SENTINEL.length);
    });
    const entry = { sql: query.sql, names };
    compiled.set(shape, entry);
    return entry;
  }

  return async function execute(db: Db, shape: Shape, args: Args): Promise<Row[]> {
    const { sql, names } = compiled.get(shape) ?? compile(db, shape);
    const parameters = names.map((name) => {
      if (!(name in args)) throw new Error(`preparedQuery: missing argument "${name}"`);
      return args[name];
    });
    const query = CompiledQuery.raw(sql, parameters);
    if (options.planEachTime?.(shape)) planEachTime(query);
    const result = await db.executeQuery<Row>(query);
    return result.rows;
  };
}
