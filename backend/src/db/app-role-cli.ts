import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { appRoleSql, ensureAppRole } from "./app-role.ts";

const USAGE = `usage: pnpm db:app-role -- --role coaching_app --password-file FILE [--print-sql]

Creates or updates the Postgres login role the API connects as (DATABASE_URL in production): it
may read and write every table, and cannot create, alter or drop anything. Tables that later
migrations create are granted to it by default privileges. Connects as MIGRATION_DATABASE_URL
(else DATABASE_URL): the tables' owner, the role the release phase migrates with, which also needs
CREATEROLE (dokku-postgres' postgres role has it). The password is read from a mode-600 file, and
only a SCRAM verifier computed here reaches the server. Idempotent. docs/deploy.md step 3.

  --role NAME          the role to create or update (lower-case letters, digits, _)
  --password-file F    a file holding its password (at least 16 characters), mode 600
  --print-sql          print the SQL (it holds the verifier, not the password) instead of running
                       it, for a server this machine cannot reach:
                         pnpm --silent db:app-role -- ... --print-sql | ssh root@data-node dokku postgres:connect coaching-app-db
  --help               this text`;

async function run(): Promise<number> {
  const args = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === "--"));
  const { values } = parseArgs({
    args,
    options: {
      role: { type: "string" },
      "password-file": { type: "string" },
      "print-sql": { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.role || !values["password-file"]) {
    console.error(`--role and --password-file are required\n\n${USAGE}`);
    return 2;
  }
  const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), values["password-file"]);
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) {
    console.error(`${file} is mode ${mode.toString(8)}: it holds a password, make it 600 (chmod 600 ${file})`);
    return 1;
  }
  const password = readFileSync(file, "utf8").replace(/\r?\n$/, "");
  if (values["print-sql"]) {
    process.stdout.write(appRoleSql(values.role, password));
    return 0;
  }
  const url = process.env.MIGRATION_DATABASE_URL || process.env.DATABASE_URL;
  if (!url) {
    console.error("MIGRATION_DATABASE_URL (or DATABASE_URL) is not set: the tables' owner to connect as");
    return 1;
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await ensureAppRole(sql, values.role, password);
    console.log(`role ${values.role}: read and write on every table, no schema changes`);
    return 0;
  } finally {
    await sql.end();
  }
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`db:app-role failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
