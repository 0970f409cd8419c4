import { loadConfig } from "../config.ts";
import { closeDeps, createDeps } from "../deps.ts";
import { createLogger } from "../logger.ts";
import { ensureAdmin } from "./ensure-admin.ts";

const USAGE = `usage: pnpm admin:ensure

Creates the admin user from ADMIN_EMAIL / ADMIN_PASSWORD if no account has that email. An existing
account is never promoted here (pnpm admin:promote <email> does that, explicitly). Idempotent. The
API also does this at every start when both are set.`;

if (process.argv.includes("--help")) {
  console.log(USAGE);
  process.exit(0);
}
const config = loadConfig(process.env);
if (!config.admin) {
  console.error("ADMIN_EMAIL and ADMIN_PASSWORD must both be set.");
  process.exit(1);
}
const deps = createDeps(config, createLogger({ level: "warn" }));
try {
  const result = await ensureAdmin(deps, config.admin);
  console.log(`admin ${config.admin.email}: ${result}`);
  if (result === "taken") {
    console.error("an existing account has that email and was not promoted: pnpm admin:promote <email> if it is yours");
    process.exitCode = 1;
  }
} catch (error) {
  console.error(`admin:ensure failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await closeDeps(deps, 1);
}
