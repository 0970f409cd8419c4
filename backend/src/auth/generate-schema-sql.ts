// Prints the SQL better-auth needs for our options, against an empty database, so it can be
// committed as a migration (no runtime schema push). Usage:
//   DATABASE_URL=postgres://…/empty tsx src/auth/generate-schema-sql.ts
import { getMigrations } from "better-auth/db/migration";
import pino from "pino";
import { loadConfig } from "../config.ts";
import { createDatabase } from "../db/database.ts";
import { createAuth } from "./auth.ts";

const config = loadConfig(process.env);
const { db } = createDatabase({ url: config.databaseUrl, poolMax: 1, statementTimeoutMs: 0 });
const auth = createAuth({ config, db, redis: undefined, logger: pino({ level: "silent" }) });
const { compileMigrations } = await getMigrations(auth.options);
console.log(await compileMigrations());
await db.destroy();
