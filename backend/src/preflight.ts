import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs, parseEnv } from "node:util";
import { ConfigError, loadConfig } from "./config.ts";

// `pnpm preflight [-- --env-file <file>]`: runs the same rules as production start-up, without
// starting anything, against the environment or against an env file alone (the file you are about
// to give `dokku/setup-app-node.sh --env-file`).
const USAGE = `usage: pnpm preflight [-- --env-file <file>]

Checks the configuration against the rules the API applies at start-up (docs/configuration.md)
and lists every problem at once. Without --env-file it reads the environment; with it, only the
file (KEY=value lines, as in .env.example). Exit 0 when the API would start, 1 otherwise.`;

function readEnvFile(file: string): Record<string, string> {
  // pnpm runs this in backend/: resolve a relative path from where the command was typed.
  const resolved = path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
  try {
    return parseEnv(readFileSync(resolved, "utf8")) as Record<string, string>;
  } catch (error) {
    throw new Error(`cannot read ${resolved}: ${(error as Error).message}`);
  }
}

try {
  // `pnpm preflight -- --env-file x` reaches here through a nested pnpm run with the "--" kept.
  const args = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === "--"));
  const options = { "env-file": { type: "string" }, help: { type: "boolean", short: "h" } } as const;
  const { values } = parseArgs({ args, options });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const file = values["env-file"];
  const config = loadConfig(file ? readEnvFile(file) : process.env);
  console.log(
    `preflight ok${file ? ` (${file})` : ""}: APP_ENV=${config.appEnv}, listening on ${config.host}:${config.port}`,
  );
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `preflight: ${(error as Error).message}`);
  process.exit(1);
}
