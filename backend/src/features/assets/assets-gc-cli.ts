import { parseArgs } from "node:util";
import { loadConfig } from "../../config.ts";
import { createDatabase } from "../../db/database.ts";
import { LazyS3Client } from "../../storage/s3-client.ts";
import { collectAssetGarbage, DEFAULT_MIN_AGE_HOURS, type GcReport } from "./assets-gc.ts";

const USAGE = `usage: pnpm assets:gc [--dry-run] [--min-age-hours N]
       node dist/features/assets/assets-gc-cli.js [...]   (production image)

Removes what interrupted uploads leave in S3_BUCKET and the database; run it daily (cron):
  - pending or failed uploads older than N hours: object, then row
  - objects under clients/ that no asset row refers to, older than N hours
Ready files are never touched, and nothing younger than N hours is (an upload may be in progress).

  --dry-run            print what would be removed; change nothing
  --min-age-hours N    age threshold in hours [ASSETS_GC_MIN_AGE_HOURS or ${DEFAULT_MIN_AGE_HOURS}]
  --help               this text

Exit status: 0 when done (or nothing to do), 1 on any failure.`;

function minAgeHours(value: string | undefined): number {
  const raw = value ?? process.env.ASSETS_GC_MIN_AGE_HOURS ?? String(DEFAULT_MIN_AGE_HOURS);
  const hours = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(hours) || hours < 0) {
    throw new Error(`--min-age-hours / ASSETS_GC_MIN_AGE_HOURS must be a number >= 0, got "${raw}"`);
  }
  return hours;
}

function print(report: GcReport, bucket: string): void {
  const verb = report.dryRun ? "would remove" : "removed";
  console.log(`assets:gc bucket=${bucket} cutoff=${report.cutoff.toISOString()} dry-run=${report.dryRun}`);
  for (const u of report.staleUploads) console.log(`${verb} ${u.status} upload ${u.id} ${u.key}`);
  for (const key of report.orphans) console.log(`${verb} orphan object ${key}`);
  console.log(
    `${verb}: ${report.staleUploads.length} stale upload(s), ${report.orphans.length} orphan object(s); ` +
      `scanned ${report.scannedObjects} object(s), kept ${report.youngUnreferenced} unreferenced object(s) younger than the cutoff`,
  );
}

async function run(): Promise<number> {
  const { values } = parseArgs({
    options: {
      "dry-run": { type: "boolean" },
      "min-age-hours": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const hours = minAgeHours(values["min-age-hours"]);
  const config = loadConfig(process.env);
  const { db } = createDatabase({ url: config.databaseUrl, poolMax: 2, statementTimeoutMs: 0 });
  const s3 = new LazyS3Client(config.s3);
  try {
    const report = await collectAssetGarbage(
      db,
      { s3, bucket: config.s3.bucket },
      { minAgeHours: hours, dryRun: values["dry-run"] ?? false },
    );
    print(report, config.s3.bucket);
    return 0;
  } finally {
    s3.destroy();
    await db.destroy();
  }
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
    console.error(`assets:gc failed: ${error instanceof Error ? error.message : String(error)}${cause}`);
    process.exit(1);
  },
);
