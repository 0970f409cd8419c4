// `pnpm drill:pitr-large`: drill c (point in time after a mistaken DELETE) on a database of a real
// size, 1 GB by default. Not in `pnpm test`: filling, backing up and restoring a gigabyte takes
// minutes. Prints the restore's figures, and each as a ratio of the same run's backup time, which
// moves with the machine as the restore does.
import { execFile } from "node:child_process";
import path from "node:path";
import { parseArgs, promisify } from "node:util";
import postgres from "postgres";
import { freePort } from "../lib/free-port.ts";
import { REPO_ROOT, startDataTier } from "./data-tier.ts";
import { sleep } from "./drill-report.ts";

const USAGE = `usage: pnpm drill:pitr-large [-- --size-mb N]

Starts the single-machine data tier with one data node (scripts/drills/data-tier.ts: etcd, Patroni,
pgBackRest to a local S3 server over TLS), fills a table to --size-mb (default 1024) of data, takes
a full backup with data-tier/backup.sh, writes marker rows, notes a time T, deletes a tenth of the
table by mistake, and restores a copy to T with data-tier/pitr-restore.sh --to. Checks the copy has
every row and marker from before T and none from after; prints the figures. Needs root and about
4 × the size free in the temporary directory. Exit status 0 when the copy is exact.`;

const { values } = parseArgs({
  options: { help: { type: "boolean", short: "h" }, "size-mb": { type: "string", default: "1024" } },
  args: process.argv.slice(2).filter((a) => a !== "--"),
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const sizeMb = Number(values["size-mb"]);
if (!Number.isInteger(sizeMb) || sizeMb < 16) {
  console.error(`--size-mb must be a whole number of at least 16\n\n${USAGE}`);
  process.exit(1);
}

const run = promisify(execFile);
const seconds = (since: number) => (performance.now() - since) / 1000;
const ROW_BYTES = 500; // a row of the table below, header and index entry included, roughly
const BATCH = 200_000;
// 416 hex characters per row, 13 different hashes: compresses about as well as text does (one hash
// repeated would shrink to nothing in the repository and flatter the restore).
const PAYLOAD = Array.from({ length: 13 }, (_, i) => `md5((g * ${i + 1} + ${i})::text)`).join(" || ");

const tier = await startDataTier({ singleNode: true });
let exitCode = 1;
try {
  const node = await tier.primary();
  const script = async (name: string, args: string[]) =>
    run("bash", [path.join(REPO_ROOT, "data-tier", name), ...args], {
      env: { ...process.env, ...tier.scriptEnv(node) },
      maxBuffer: 16 * 1024 * 1024,
    });
  await node.psql("create database coaching");
  await node.psql(
    "create table big (id bigint primary key, payload text not null); create table marker (id int primary key, phase text not null)",
    "coaching",
  );

  const filled = performance.now();
  const rows = Math.ceil((sizeMb * 1024 * 1024) / ROW_BYTES);
  for (let first = 1; first <= rows; first += BATCH) {
    const last = Math.min(rows, first + BATCH - 1);
    await node.psql(`insert into big select g, ${PAYLOAD} from generate_series(${first}, ${last}) g`, "coaching");
    const size = await node.psql("select pg_size_pretty(pg_database_size('coaching'))");
    process.stdout.write(`\rfilling: ${last}/${rows} rows, ${size}   `);
  }
  const bytes = Number(await node.psql("select pg_database_size('coaching')"));
  console.log(`\nfilled ${(bytes / 1024 ** 3).toFixed(2)} GB in ${seconds(filled).toFixed(0)} s`);

  const backedUp = performance.now();
  await script("backup.sh", ["--type", "full"]);
  const backupS = seconds(backedUp);
  console.log(`full backup in ${backupS.toFixed(1)} s`);

  await node.psql("insert into marker select g, 'before' from generate_series(1, 1000) g", "coaching");
  await sleep(1100);
  const target = await node.psql("select to_char(now() at time zone 'utc', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'");
  await sleep(1100);
  const deleted = Number(
    await node.psql("with d as (delete from big where id % 10 = 0 returning 1) select count(*) from d", "coaching"),
  );
  await node.psql("insert into marker select g, 'after' from generate_series(1001, 1100) g", "coaching");
  console.log(`deleted ${deleted} rows by mistake after ${target}`);

  const dir = path.join(tier.dir, "pitr-large-copy");
  const port = await freePort();
  const restoredAt = performance.now();
  const restore = await script("pitr-restore.sh", ["--to", target, "--target", dir, "--port", String(port)]);
  const totalS = seconds(restoredAt);
  const filesS = Number(/files restored in ([\d.]+) s/.exec(restore.stderr)?.[1]);
  const recoveryS = Number(/recovered and promoted in ([\d.]+) s/.exec(restore.stderr)?.[1]);
  const copy = postgres(`postgres://127.0.0.1:${port}/coaching`, {
    max: 1,
    username: "postgres",
    password: tier.secrets.PG_SUPERUSER_PASSWORD,
    onnotice: () => undefined,
  });
  try {
    const [counts] = await copy<{ big: string; before: string; after: string }[]>`
      select (select count(*) from big) as big,
             (select count(*) from marker where phase = 'before') as before,
             (select count(*) from marker where phase = 'after') as after`;
    const exact = Number(counts?.big) === rows && Number(counts?.before) === 1000 && Number(counts?.after) === 0;
    console.log(
      `drill pitr-large: database=${(bytes / 1024 ** 3).toFixed(2)}GB backup=${backupS.toFixed(1)}s ` +
        `restore-files=${filesS}s recovery=${recoveryS}s restore-total=${totalS.toFixed(1)}s ` +
        `(${(bytes / 1024 ** 2 / totalS).toFixed(0)} MB/s; ${(totalS / backupS).toFixed(2)}× the backup) ` +
        `rows=${counts?.big}/${rows} markers-before=${counts?.before}/1000 markers-after=${counts?.after}/0 ${exact ? "exact" : "NOT EXACT"}`,
    );
    exitCode = exact ? 0 : 1;
  } finally {
    await copy.end({ timeout: 1 });
    await run("runuser", [
      "-u",
      "postgres",
      "--",
      "/usr/lib/postgresql/15/bin/pg_ctl",
      "-D",
      dir,
      "-m",
      "fast",
      "stop",
    ]);
  }
} finally {
  await tier.stop();
}
process.exit(exitCode);
