// `pnpm drill:api-on-patroni`: the API's whole integration suite (backend/) against the Patroni
// topology instead of a single embedded Postgres: the multi-host DATABASE_URL, synchronous commits
// to the standby, every database the tests create made on the primary. Not in `pnpm test` (the
// backend suite already runs there against one Postgres; this repeats it, ~4 min more).
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { REPO_ROOT, startDataTier } from "./data-tier.ts";

const USAGE = `usage: pnpm drill:api-on-patroni [-- --help]

Starts the single-machine data tier (3 etcd members, 2 Patroni nodes, pgBackRest to a local S3
server; scripts/drills/data-tier.ts), runs \`vitest run --project backend\` with DATABASE_URL set to
both nodes (target_session_attrs=primary, the superuser, as the suite's admin connection), prints
the cluster's roles before and after, and stops everything. Exit status: the suite's.
Two files need one host by nature and are left out: test/schema-types.test.ts (kysely-codegen
connects with node-postgres, which takes a single host) and test/planned-each-time.test.ts (it
records the wire protocol through a TCP proxy in front of one server).`;

const SINGLE_HOST_ONLY = ["test/schema-types.test.ts", "test/planned-each-time.test.ts"];

const { values } = parseArgs({
  options: { help: { type: "boolean", short: "h" } },
  args: process.argv.slice(2).filter((a) => a !== "--"),
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const started = performance.now();
const tier = await startDataTier();
let code = 1;
try {
  const roles = async () =>
    (
      await Promise.all(
        tier.nodes.map(async (node) => `${node.name}=${(await node.rest("/primary")) === 200 ? "primary" : "standby"}`),
      )
    ).join(" ");
  console.log(`data tier up in ${Math.round((performance.now() - started) / 1000)} s: ${await roles()}`);
  const suiteStarted = performance.now();
  code = await new Promise<number>((resolve) => {
    const child = spawn(
      "pnpm",
      ["exec", "vitest", "run", "--project", "backend", ...SINGLE_HOST_ONLY.flatMap((file) => ["--exclude", file])],
      {
        cwd: REPO_ROOT,
        stdio: "inherit",
        env: { ...process.env, DATABASE_URL: tier.url("postgres") },
      },
    );
    child.on("exit", (status) => resolve(status ?? 1));
  });
  console.log(
    `drill api-suite-on-patroni: exit=${code} suite=${Math.round((performance.now() - suiteStarted) / 1000)}s roles-after: ${await roles()}`,
  );
} finally {
  await tier.stop();
}
process.exit(code);
