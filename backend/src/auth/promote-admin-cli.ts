import { loadConfig } from "../config.ts";
import { closeDeps, createDeps } from "../deps.ts";
import { createLogger } from "../logger.ts";
import { promoteAdmin } from "./ensure-admin.ts";

const USAGE = `usage: pnpm admin:promote <email>

Makes the existing account with this email an administrator and signs it out everywhere (every
session of it is revoked), so only a fresh sign-in, with the account's password, carries the role.
The API never promotes an existing account by itself, ADMIN_EMAIL included (docs/api.md § Admin).
Reads DATABASE_URL and REDIS_URL like the API. Exit 1 when no account has that email.`;

const email = process.argv.slice(2).find((arg) => arg !== "--");
if (!email || email === "--help" || email === "-h") {
  console.log(USAGE);
  process.exit(email ? 0 : 2);
}
const config = loadConfig(process.env);
const deps = createDeps(config, createLogger({ level: "warn" }));
try {
  const result = await promoteAdmin(deps, email);
  if (!result) {
    console.error(`admin:promote: no account has the email ${email}`);
    process.exitCode = 1;
  } else {
    console.log(`${email} is an administrator now; ${result.sessionsRevoked} session(s) revoked`);
  }
} catch (error) {
  console.error(`admin:promote failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await closeDeps(deps, 1);
}
