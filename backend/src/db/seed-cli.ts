import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import { closeDeps, createDeps } from "../deps.ts";
import { createLogger } from "../logger.ts";
import { DEMO_CLIENT, DEMO_COACH, seedDemo } from "./seed.ts";

const USAGE = `usage: pnpm db:seed [--if-empty]

Adds a demo coach (${DEMO_COACH.email}), a demo client user (${DEMO_CLIENT.email}), a roster of
12 clients, two weeks of appointments, notes, goals and check-ins to DATABASE_URL. Does nothing
when the demo coach exists. Refuses APP_ENV=staging/production.

  --if-empty   seed only when the database has no users besides the admin (used by pnpm dev)
  --help       this text`;

const { values } = parseArgs({ options: { "if-empty": { type: "boolean" }, help: { type: "boolean" } } });
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const config = loadConfig(process.env);
if (config.isProductionLike) {
  console.error("db:seed refuses to add demo accounts to a staging or production database.");
  process.exit(1);
}
const deps = createDeps(config, createLogger({ level: "warn" }));
try {
  const users = await deps.db
    .selectFrom("user")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("role", "!=", "admin")
    .executeTakeFirstOrThrow();
  if (values["if-empty"] && Number(users.n) > 0) {
    console.log("db:seed: database already has users; nothing to do");
  } else {
    const result = await seedDemo(deps);
    console.log(result === "seeded" ? "db:seed: demo data added" : "db:seed: demo coach exists; nothing to do");
  }
} catch (error) {
  console.error(`db:seed failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await closeDeps(deps, 1);
}
