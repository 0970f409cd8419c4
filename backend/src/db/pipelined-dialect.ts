import {
  CompiledQuery,
  type ControlConnectionProvider,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import { PostgresJSDialect } from "kysely-postgres-js";
import type postgres from "postgres";
import { isPlannedEachTime } from "./planned-each-time.ts";

const WRITE_COMMANDS = new Set(["INSERT", "UPDATE", "DELETE", "MERGE"]);
const PREPARED = { prepare: true };
// `textParameters` is our postgres.js patch (patches/postgres@3.4.9.patch): the statement goes in one
// write instead of waiting a round trip for its parameter types.
const UNPREPARED = { prepare: false, textParameters: true } as postgres.UnsafeQueryOptions;

/**
 * A statement planned each time is sent unprepared with its parameters as text, their types
 * inferred by Postgres: one write (Parse, Describe, Bind, Execute), as libpq sends a query with
 * parameters. postgres.js otherwise asks for the types first, because it serializes some values by
 * the type Postgres expects (a JS string bound to a json parameter becomes a JSON string, a Date
 * an ISO text). Strings and numbers (and null) are sent the same whatever the type, so any other
 * value is refused here rather than sent differently.
 */
function unpreparedOptions(query: CompiledQuery): postgres.UnsafeQueryOptions {
  for (const value of query.parameters) {
    if (value !== null && typeof value !== "string" && !(typeof value === "number" && Number.isFinite(value))) {
      throw new TypeError(`a statement planned each time takes strings, numbers and null only, got ${typeof value}`);
    }
  }
  return UNPREPARED;
}

/**
 * Kysely on postgres.js, with single statements sent to the shared pool instead of a connection
 * reserved for them. kysely-postgres-js reserves a connection per statement, so every query gets a
 * connection of its own and its own socket write — at 32 concurrent requests that was a fifth of
 * the API's CPU (writes to Postgres on loopback wake a backend each time; docs/performance.md).
 * Through the pool, postgres.js pipelines statements onto busy connections and sends the ones of
 * one event-loop turn in one write.
 *
 * Transactions still reserve a connection (the wrapped kysely-postgres-js driver does that the
 * moment `begin` runs). `db.connection()` is **not** sticky here: its statements may run on
 * different connections, so session state (`set`, session advisory locks) belongs in a
 * transaction (`set local`, `pg_advisory_xact_lock`).
 */
export class PipelinedPostgresJSDialect implements Dialect {
  readonly #inner: PostgresJSDialect;
  readonly #sql: postgres.Sql;

  constructor(sql: postgres.Sql) {
    this.#sql = sql;
    this.#inner = new PostgresJSDialect({ postgres: sql });
  }

  createAdapter(): DialectAdapter {
    return this.#inner.createAdapter();
  }

  createDriver(): Driver {
    return new PipelinedDriver(this.#inner.createDriver(), this.#sql);
  }

  // biome-ignore lint/suspicious/noExplicitAny: Dialect's own signature
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return this.#inner.createIntrospector(db);
  }

  createQueryCompiler(): QueryCompiler {
    return this.#inner.createQueryCompiler();
  }
}

/** A connection that is the shared pool until a transaction begins on it, then a reserved one. */
class PoolConnection implements DatabaseConnection {
  reserved: DatabaseConnection | undefined;
  #pending: { cancel(): unknown } | undefined;

  constructor(
    readonly inner: Driver,
    readonly sql: postgres.Sql,
  ) {}

  async reserve(): Promise<DatabaseConnection> {
    this.reserved ??= await this.inner.acquireConnection();
    return this.reserved;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    if (this.reserved) return this.reserved.executeQuery<R>(compiledQuery);
    const pending = this.sql.unsafe(
      compiledQuery.sql,
      [...compiledQuery.parameters] as postgres.ParameterOrJSON<never>[],
      isPlannedEachTime(compiledQuery) ? unpreparedOptions(compiledQuery) : PREPARED,
    );
    this.#pending = pending;
    try {
      const result = await pending;
      return {
        numAffectedRows: WRITE_COMMANDS.has(result.command) ? BigInt(result.count) : undefined,
        rows: Array.from(result) as R[],
      };
    } finally {
      this.#pending = undefined;
    }
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    const reserved = await this.reserve();
    yield* reserved.streamQuery<R>(compiledQuery, chunkSize);
  }

  /** Kysely's abort signal: postgres.js cancels a pooled statement by itself. */
  async cancelQuery(controlConnectionProvider: ControlConnectionProvider): Promise<void> {
    if (this.reserved) return this.reserved.cancelQuery?.(controlConnectionProvider);
    await this.#pending?.cancel();
  }
}

class PipelinedDriver implements Driver {
  constructor(
    readonly inner: Driver,
    readonly sql: postgres.Sql,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new PoolConnection(this.inner, this.sql);
  }

  async beginTransaction(connection: PoolConnection, settings: TransactionSettings): Promise<void> {
    await this.inner.beginTransaction(await connection.reserve(), settings);
  }

  commitTransaction(connection: PoolConnection): Promise<void> {
    return this.inner.commitTransaction(reservedOf(connection));
  }

  /**
   * ROLLBACK ourselves instead of through kysely-postgres-js: it inherits Kysely 0.29's
   * PostgresDriver.rollbackTransaction, which on a failed ROLLBACK (the connection died under the
   * transaction) calls a private discard method its connection class lacks, so the caller got
   * "connection[PRIVATE_MARK_FOR_DISCARD_METHOD] is not a function" (a 500) instead of the
   * connection error (a 503). The dead connection itself is dropped by postgres.js on release.
   */
  async rollbackTransaction(connection: PoolConnection): Promise<void> {
    await reservedOf(connection).executeQuery(CompiledQuery.raw("rollback"));
  }

  async savepoint(
    connection: PoolConnection,
    name: string,
    compileQuery: QueryCompiler["compileQuery"],
  ): Promise<void> {
    await this.inner.savepoint?.(reservedOf(connection), name, compileQuery);
  }

  async rollbackToSavepoint(
    connection: PoolConnection,
    name: string,
    compileQuery: QueryCompiler["compileQuery"],
  ): Promise<void> {
    await this.inner.rollbackToSavepoint?.(reservedOf(connection), name, compileQuery);
  }

  async releaseSavepoint(
    connection: PoolConnection,
    name: string,
    compileQuery: QueryCompiler["compileQuery"],
  ): Promise<void> {
    await this.inner.releaseSavepoint?.(reservedOf(connection), name, compileQuery);
  }

  async releaseConnection(connection: PoolConnection): Promise<void> {
    const reserved = connection.reserved;
    connection.reserved = undefined;
    if (reserved) await this.inner.releaseConnection(reserved);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

function reservedOf(connection: PoolConnection): DatabaseConnection {
  if (!connection.reserved) throw new Error("no transaction is open on this connection");
  return connection.reserved;
}
