import postgres from "postgres";

export interface StatementCount {
  requests: number;
  statementsPerRequest: number;
  statements: { query: string; calls: number }[];
}

/**
 * Counts the SQL statements the app's database ran while `requests` sequential requests were made,
 * with pg_stat_statements (reset before, read after; only the app's database is counted).
 */
export async function countStatements(
  adminUrl: string,
  appDb: string,
  requests: number,
  send: () => Promise<Response>,
): Promise<StatementCount> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    // Warm the pool's connections first: a fresh postgres.js connection runs a one-off type query.
    for (let i = 0; i < 20; i++) await (await send()).arrayBuffer();
    await admin`select pg_stat_statements_reset()`;
    for (let i = 0; i < requests; i++) {
      const res = await send();
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`query-count request answered ${res.status}`);
    }
    const rows = await admin<{ query: string; calls: string }[]>`
      select s.query, s.calls::text as calls
      from pg_stat_statements s join pg_database d on d.oid = s.dbid
      where d.datname = ${appDb}
      order by s.calls desc`;
    const statements = rows.map((row) => ({ query: row.query, calls: Number(row.calls) }));
    const total = statements.reduce((sum, s) => sum + s.calls, 0);
    return { requests, statementsPerRequest: total / requests, statements };
  } finally {
    await admin.end();
  }
}
