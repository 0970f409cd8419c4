import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import { isoFromUtcText, utcSortKey, utcText } from "../../db/iso-timestamp.ts";
import type { RowOf } from "../../db/row-of.ts";
import { AppError } from "../../http/app-error.ts";
import { afterCursor, decodeCursor, toPage } from "../../http/pagination.ts";
import type { RosterRole } from "../roster/roster-access.ts";

const assetColumns = [
  "assets.id",
  "assets.client_id",
  "assets.uploader_id",
  "assets.object_key",
  "assets.filename",
  "assets.content_type",
  "assets.size",
  "assets.visibility",
  "assets.status",
  utcText("assets.created_at").as("created_at"),
  utcText("assets.updated_at").as("updated_at"),
] as const;

function selectAssets(db: Db) {
  return db.selectFrom("assets").innerJoin("clients", "clients.id", "assets.client_id").select(assetColumns);
}

type AssetRow = RowOf<ReturnType<typeof selectAssets>>;

export function toAsset(row: AssetRow) {
  return {
    id: row.id,
    clientId: row.client_id,
    uploaderId: row.uploader_id,
    filename: row.filename,
    contentType: row.content_type,
    size: Number(row.size),
    visibility: row.visibility,
    status: row.status,
    createdAt: isoFromUtcText(row.created_at),
    updatedAt: isoFromUtcText(row.updated_at),
  };
}

/** An asset and the caller's role on its roster entry; undefined when the entry is not theirs. */
export type AssetAccess = { asset: AssetRow; role: RosterRole };

/** Coach: every ready file of the entry. Client user: ready files that are shared or their own. */
export function canRead({ asset, role }: AssetAccess, userId: string): boolean {
  return (
    asset.status === "ready" && (role === "coach" || asset.visibility === "shared" || asset.uploader_id === userId)
  );
}

/** The coach of the entry or whoever uploaded the file. */
export function canDelete({ asset, role }: AssetAccess, userId: string): boolean {
  return role === "coach" || asset.uploader_id === userId;
}

export async function findAssetAccess(db: Db, id: string, userId: string): Promise<AssetAccess | undefined> {
  const row = await selectAssets(db)
    .select("clients.coach_id")
    .where("assets.id", "=", id)
    .where((eb) => eb.or([eb("clients.coach_id", "=", userId), eb("clients.linked_user_id", "=", userId)]))
    .executeTakeFirst();
  if (!row) return undefined;
  const { coach_id, ...asset } = row;
  return { asset, role: coach_id === userId ? "coach" : "client" };
}

/** Ready files of a roster entry the caller may see, newest first. One query. */
export async function listAssets(db: Db, clientId: string, userId: string, query: { limit: number; cursor?: string }) {
  const after = decodeCursor(query.cursor);
  let q = selectAssets(db)
    .where("assets.client_id", "=", clientId)
    // A literal, not a parameter: only then does a generic plan (postgres.js prepares statements)
    // prove the partial index's `where status = 'ready'` and use it.
    .where("assets.status", "=", sql.lit("ready"))
    .where((eb) =>
      eb.or([
        eb("clients.coach_id", "=", userId),
        eb.and([
          eb("clients.linked_user_id", "=", userId),
          eb.or([eb("assets.visibility", "=", "shared"), eb("assets.uploader_id", "=", userId)]),
        ]),
      ]),
    )
    .orderBy("assets.created_at", "desc")
    .orderBy("assets.id", "desc")
    .limit(query.limit + 1);
  if (after) q = q.where(afterCursor(["assets.created_at", "assets.id"], "desc", after));
  const page = toPage(await q.execute(), query.limit, (row) => ({ k: utcSortKey(row.created_at), id: row.id }));
  return { items: page.items.map(toAsset), nextCursor: page.nextCursor };
}

export interface UploadQuota {
  clientBytes: number;
  clientFiles: number;
  userBytes: number;
}

/**
 * Inserts a pending asset unless it would take its roster entry past the quota (files and bytes)
 * or its uploader past theirs (bytes); pending uploads count, so parallel ones cannot slip past.
 * One transaction under the roster entry's advisory lock: two uploads to one client are checked
 * one after the other.
 */
export async function insertPendingAsset(
  db: Db,
  input: {
    clientId: string;
    uploaderId: string;
    objectKey: string;
    filename: string;
    contentType: string;
    size: number;
    visibility: "private" | "shared";
  },
  quota: UploadQuota,
) {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`assets:${input.clientId}`}, 0))`.execute(trx);
    const usage = (column: "client_id" | "uploader_id", id: string) =>
      trx
        .selectFrom("assets")
        .select((eb) => [
          eb.fn.countAll<string>().as("files"),
          eb.fn.coalesce(eb.fn.sum<string>("size"), sql<string>`0`).as("bytes"),
        ])
        .where(column, "=", id)
        .where("status", "in", ["pending", "ready"])
        .executeTakeFirstOrThrow();
    const [client, uploader] = await Promise.all([
      usage("client_id", input.clientId),
      usage("uploader_id", input.uploaderId),
    ]);
    if (Number(client.files) + 1 > quota.clientFiles) {
      throw new AppError(
        413,
        "quota_exceeded",
        `This client has ${client.files} files; at most ${quota.clientFiles} are kept.`,
      );
    }
    if (Number(client.bytes) + input.size > quota.clientBytes) {
      throw new AppError(
        413,
        "quota_exceeded",
        `This client's files would take ${Number(client.bytes) + input.size} bytes; at most ${quota.clientBytes}.`,
      );
    }
    if (Number(uploader.bytes) + input.size > quota.userBytes) {
      throw new AppError(
        413,
        "quota_exceeded",
        `Your uploads would take ${Number(uploader.bytes) + input.size} bytes; at most ${quota.userBytes}.`,
      );
    }
    return insertAsset(trx, input);
  });
}

function insertAsset(db: Db, input: Parameters<typeof insertPendingAsset>[1]) {
  return db
    .insertInto("assets")
    .values({
      client_id: input.clientId,
      uploader_id: input.uploaderId,
      object_key: input.objectKey,
      filename: input.filename,
      content_type: input.contentType,
      size: input.size,
      visibility: input.visibility,
    })
    .returning(assetColumns)
    .executeTakeFirstOrThrow();
}

/**
 * pending → ready (with the key of its verified copy) or failed. Undefined when it was no longer
 * pending (a concurrent complete won).
 */
export async function settleAsset(db: Db, id: string, status: "ready" | "failed", objectKey?: string) {
  return db
    .updateTable("assets")
    .set({ status, updated_at: new Date(), ...(objectKey ? { object_key: objectKey } : {}) })
    .where("id", "=", id)
    .where("status", "=", "pending")
    .returning(assetColumns)
    .executeTakeFirst();
}

export async function deleteAssetRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom("assets").where("id", "=", id).execute();
}
