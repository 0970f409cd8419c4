import type { Db } from "../../db/database.ts";
import { type AssetStorage, deleteObjects, listObjects } from "./asset-storage.ts";

/** Uploads and objects younger than this are never touched: an upload may be in progress. */
export const DEFAULT_MIN_AGE_HOURS = 24;
/** Every object the API creates lives under this prefix; anything else in the bucket is not ours. */
const ASSET_PREFIX = "clients/";
const LOOKUP_BATCH = 1000;

export interface GcOptions {
  minAgeHours: number;
  dryRun: boolean;
  now?: Date;
}

export interface GcReport {
  cutoff: Date;
  dryRun: boolean;
  /** pending (never completed) or failed rows older than the cutoff, removed with their objects. */
  staleUploads: { id: string; key: string; status: string }[];
  /** objects older than the cutoff that no row refers to. */
  orphans: string[];
  scannedObjects: number;
  /** unreferenced objects younger than the cutoff, left alone. */
  youngUnreferenced: number;
}

/**
 * Removes what an interrupted upload or a failed delete leaves behind: stale pending/failed rows
 * (object first, then row) and objects no row refers to. Ready assets are never touched.
 */
export async function collectAssetGarbage(db: Db, storage: AssetStorage, options: GcOptions): Promise<GcReport> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.minAgeHours * 3_600_000);
  const stale = await db
    .selectFrom("assets")
    .select(["id", "object_key", "status"])
    .where("status", "in", ["pending", "failed"])
    .where("created_at", "<", cutoff)
    .orderBy("created_at")
    .execute();
  const staleUploads = stale.map((r) => ({ id: r.id, key: r.object_key, status: r.status }));

  // Listed before the stale rows go, so their objects count as referenced and are not reported twice.
  const candidates: string[] = [];
  const young: string[] = [];
  let scannedObjects = 0;
  for await (const object of listObjects(storage, ASSET_PREFIX)) {
    scannedObjects += 1;
    (object.lastModified < cutoff ? candidates : young).push(object.key);
  }
  const orphans = await unreferenced(db, candidates);
  const youngUnreferenced = (await unreferenced(db, young)).length;

  if (!options.dryRun) {
    await removeStaleUploads(db, storage, staleUploads);
    const { failed } = await deleteObjects(storage, orphans);
    if (failed.length > 0) throw new Error(`storage did not delete ${failed.length} orphan(s): ${failed.join(", ")}`);
  }
  return { cutoff, dryRun: options.dryRun, staleUploads, orphans, scannedObjects, youngUnreferenced };
}

async function removeStaleUploads(db: Db, storage: AssetStorage, uploads: GcReport["staleUploads"]) {
  if (uploads.length === 0) return;
  // Claimed as failed first: a `complete` racing with the GC can then no longer turn the row ready
  // after its object is gone (settleAsset only moves pending rows), and a row it already turned
  // ready is skipped here.
  const claimed = await db
    .updateTable("assets")
    .set({ status: "failed", updated_at: new Date() })
    .where(
      "id",
      "in",
      uploads.map((u) => u.id),
    )
    .where("status", "in", ["pending", "failed"])
    .returning(["id", "object_key"])
    .execute();
  const { deleted, failed } = await deleteObjects(
    storage,
    claimed.map((r) => r.object_key),
  );
  if (deleted.length > 0) await db.deleteFrom("assets").where("object_key", "in", deleted).execute();
  if (failed.length > 0) throw new Error(`storage did not delete ${failed.length} object(s): ${failed.join(", ")}`);
}

/** The keys no asset row refers to. */
async function unreferenced(db: Db, keys: string[]): Promise<string[]> {
  const result: string[] = [];
  for (let i = 0; i < keys.length; i += LOOKUP_BATCH) {
    const batch = keys.slice(i, i + LOOKUP_BATCH);
    const known = await db.selectFrom("assets").select("object_key").where("object_key", "in", batch).execute();
    const referenced = new Set(known.map((r) => r.object_key));
    result.push(...batch.filter((key) => !referenced.has(key)));
  }
  return result;
}
