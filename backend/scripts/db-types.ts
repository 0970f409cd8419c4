// `pnpm db:types [--check]`: migrates a throwaway Postgres (embedded, like the tests') from
// src/db/migrations and writes the table types kysely-codegen reads from it to src/db/schema.ts;
// --check only compares, and exits 1 when the committed file differs.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../../scripts/lib/free-port.ts";
import { startPostgres } from "../../scripts/lib/postgres-server.ts";
import { createDatabase } from "../src/db/database.ts";
import { migrateToLatest } from "../src/db/migrator.ts";
import { generateTableTypes, SCHEMA_FILE } from "./table-types.ts";

const check = process.argv.includes("--check");
const dir = await mkdtemp(path.join(tmpdir(), "coaching-db-types-"));
const pg = await startPostgres({ dataDir: path.join(dir, "pg"), port: await freePort(), ephemeral: true });
try {
  const { db } = createDatabase({ url: pg.adminUrl, poolMax: 1, statementTimeoutMs: 0 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  const types = await generateTableTypes(pg.adminUrl);
  const relative = path.relative(process.cwd(), SCHEMA_FILE);
  if (check) {
    const committed = await readFile(SCHEMA_FILE, "utf8");
    if (committed !== types) {
      console.error(`${relative} differs from what the migrations produce: run pnpm db:types`);
      process.exitCode = 1;
    } else {
      console.log(`${relative} matches the migrations`);
    }
  } else {
    await writeFile(SCHEMA_FILE, types);
    console.log(`wrote ${relative}`);
  }
} finally {
  await pg.stop();
  await rm(dir, { recursive: true, force: true });
}
