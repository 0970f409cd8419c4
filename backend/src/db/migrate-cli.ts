import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import { createDatabase } from "./database.ts";
import { createMigrator, migrateToLatest } from "./migrator.ts";

const USAGE = `usage: pnpm db:migrate [--status]

Applies pending migrations as MIGRATION_DATABASE_URL (the tables' owner; DATABASE_URL when unset).
Safe to run twice and from two nodes at once (Kysely holds a Postgres advisory lock for the whole
run). In production the API's own DATABASE_URL is a role that cannot change the schema
(pnpm db:app-role).

  --status   list every migration and whether it is applied; changes nothing
  --help     this text`;

async function run(): Promise<number> {
  const { values } = parseArgs({ options: { status: { type: "boolean" }, help: { type: "boolean" } } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig(process.env);
  const { db } = createDatabase({ url: config.migrationDatabaseUrl, poolMax: 2, statementTimeoutMs: 0 });
  try {
    if (values.status) {
      const migrations = await createMigrator(db).getMigrations();
      for (const m of migrations) {
        console.log(
          `${m.executedAt ? "applied" : "pending"}  ${m.name}${m.executedAt ? `  (${m.executedAt.toISOString()})` : ""}`,
        );
      }
      const pending = migrations.filter((m) => !m.executedAt).length;
      console.log(`${migrations.length - pending} applied, ${pending} pending`);
      return 0;
    }
    const started = performance.now();
    const result = await migrateToLatest(db);
    const applied = result.results ?? [];
    for (const r of applied) console.log(`applied  ${r.migrationName}`);
    console.log(
      `${applied.length === 0 ? "up to date" : `${applied.length} migration(s) applied`} in ${Math.round(performance.now() - started)} ms`,
    );
    return 0;
  } finally {
    await db.destroy();
  }
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`db:migrate failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
