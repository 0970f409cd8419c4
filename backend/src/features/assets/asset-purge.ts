import type { Db } from "../../db/database.ts";
import { AppError } from "../../http/app-error.ts";
import { type AssetStorage, clientObjectPrefix, deleteObjects, listObjects } from "./asset-storage.ts";

/**
 * Deletes every stored object of a roster entry: the keys of its asset rows plus anything under its
 * prefix (leftovers of an earlier failed attempt). Rows whose object is confirmed gone are deleted
 * at once, so no row ever points at a missing object; if storage fails for any key → 503, and the
 * caller must not delete the entry (its remaining rows still describe existing objects).
 */
export async function deleteClientObjects(db: Db, storage: AssetStorage, clientId: string): Promise<number> {
  const rows = await db.selectFrom("assets").select("object_key").where("client_id", "=", clientId).execute();
  const keys = new Set(rows.map((r) => r.object_key));
  for await (const object of listObjects(storage, clientObjectPrefix(clientId))) keys.add(object.key);
  if (keys.size === 0) return 0;

  const { deleted, failed } = await deleteObjects(storage, [...keys]);
  if (deleted.length > 0) {
    await db.deleteFrom("assets").where("client_id", "=", clientId).where("object_key", "in", deleted).execute();
  }
  if (failed.length > 0) {
    throw AppError.serviceUnavailable(
      `File storage did not delete ${failed.length} file(s) of this client; nothing else was deleted. Try again shortly.`,
    );
  }
  return deleted.length;
}
