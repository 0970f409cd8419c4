import type { Context } from "hono";
import { apiRoute } from "../../http/api-route.ts";
import { AppError } from "../../http/app-error.ts";
import type { AppBindings } from "../../http/bindings.ts";
import { errorResponse } from "../../http/error-schema.ts";
import { IdParam } from "../../http/id-param.ts";
import { json, jsonBody } from "../../http/openapi-helpers.ts";
import type { RateLimiters } from "../../http/rate-limit.ts";
import { createRouter } from "../../http/router.ts";
import { rosterRole } from "../roster/roster-access.ts";
import {
  canDelete,
  canRead,
  deleteAssetRow,
  findAssetAccess,
  insertPendingAsset,
  listAssets,
  settleAsset,
  toAsset,
} from "./asset-queries.ts";
import {
  ALLOWED_CONTENT_TYPES,
  AssetDetailSchema,
  AssetPageSchema,
  AssetSchema,
  CreateAssetSchema,
  ListAssetsQuery,
  UploadSchema,
} from "./asset-schemas.ts";
import {
  type AssetStorage,
  copyVerifiedObject,
  deleteObject,
  newObjectKey,
  presignDownload,
  presignUpload,
  statObject,
} from "./asset-storage.ts";

const tags = ["Assets"];
const fileNotFound = errorResponse("No such file, or not visible to the caller (`not_found`)");

const create = apiRoute({
  method: "post",
  path: "/api/v1/assets",
  operationId: "CreateAsset",
  summary: "Start an upload: a pending file and a presigned PUT",
  tags,
  request: { body: jsonBody(CreateAssetSchema) },
  responses: {
    201: json(UploadSchema, "A pending asset and a presigned PUT, valid for 10 minutes"),
    404: errorResponse("No such roster entry, or the caller is neither its coach nor its client user (`not_found`)"),
    413: errorResponse(
      "The declared `size` is over MAX_UPLOAD_BYTES, or the body over 1 MiB (`payload_too_large`); the roster entry's or the uploader's quota would be exceeded (`quota_exceeded`)",
    ),
    415: errorResponse("`contentType` is not an accepted type, or the body is not JSON (`unsupported_media_type`)"),
  },
});

const complete = apiRoute({
  method: "post",
  path: "/api/v1/assets/{id}/complete",
  operationId: "CompleteAsset",
  summary: "Finish an upload: check the stored object against the declaration",
  tags,
  request: { params: IdParam },
  responses: {
    200: json(AssetSchema, "The stored object matches the declaration: ready"),
    404: errorResponse("No such upload by the caller (`not_found`)"),
    409: errorResponse("Missing, or another size or type than declared: marked failed and removed (`conflict`)"),
    503: errorResponse(
      "File storage or the database is unreachable; the upload stays pending, retry (`service_unavailable`)",
    ),
  },
});

const list = apiRoute({
  method: "get",
  path: "/api/v1/assets",
  operationId: "ListAssets",
  summary: "List the ready files of a roster entry",
  tags,
  request: { query: ListAssetsQuery },
  responses: {
    200: json(AssetPageSchema, "Ready files, newest first; client users see shared ones and their own"),
    404: errorResponse("No such roster entry, or the caller is neither its coach nor its client user (`not_found`)"),
  },
});

const get = apiRoute({
  method: "get",
  path: "/api/v1/assets/{id}",
  operationId: "GetAsset",
  summary: "Get a file with a short-lived download URL",
  tags,
  request: { params: IdParam },
  responses: { 200: json(AssetDetailSchema, "The file with a short-lived download URL"), 404: fileNotFound },
});

const remove = apiRoute({
  method: "delete",
  path: "/api/v1/assets/{id}",
  operationId: "DeleteAsset",
  summary: "Delete a file: the stored object, then its record",
  tags,
  request: { params: IdParam },
  responses: {
    204: { description: "Object and metadata deleted" },
    403: errorResponse("The caller sees the file but is neither the coach nor the uploader (`forbidden`)"),
    404: fileNotFound,
    503: errorResponse("File storage or the database is unreachable; nothing was removed (`service_unavailable`)"),
  },
});

function storageOf(c: Context<AppBindings>): AssetStorage {
  const { s3, config } = c.get("deps");
  return { s3, bucket: config.s3.bucket };
}

const assetNotFound = () => AppError.notFound("File not found.");

/** Files of a roster entry: uploaded and downloaded straight from object storage with presigned URLs. */
export function assetRoutes(limiters: RateLimiters) {
  return createRouter()
    .openapi(create, async (c) => {
      const { db, config } = c.get("deps");
      const input = c.req.valid("json");
      if (input.size > config.maxUploadBytes) {
        throw new AppError(413, "payload_too_large", `Files may be at most ${config.maxUploadBytes} bytes.`);
      }
      if (!ALLOWED_CONTENT_TYPES.has(input.contentType)) {
        throw new AppError(415, "unsupported_media_type", `Files of type ${input.contentType} are not accepted.`);
      }
      const userId = c.get("user").id;
      if (!(await rosterRole(db, input.clientId, userId))) throw AppError.notFound("Client not found.");
      await limiters.consume([["uploadsPerUser", userId]]);
      const objectKey = newObjectKey(input.clientId);
      const asset = await insertPendingAsset(db, { ...input, uploaderId: userId, objectKey }, config.uploadQuota);
      const upload = await presignUpload(storageOf(c), objectKey, input.contentType, input.size);
      return c.json({ id: asset.id, status: "pending" as const, upload }, 201);
    })
    .openapi(complete, async (c) => {
      const { db } = c.get("deps");
      const userId = c.get("user").id;
      const access = await findAssetAccess(db, c.req.valid("param").id, userId);
      if (!access || access.asset.uploader_id !== userId) throw assetNotFound();
      const { asset } = access;
      if (asset.status === "ready") return c.json(toAsset(asset), 200);
      if (asset.status === "failed") throw new AppError(409, "conflict", "This upload failed; start a new one.");

      const storage = storageOf(c);
      const stored = await statObject(storage, asset.object_key);
      if (stored?.size === Number(asset.size) && stored.contentType === asset.content_type && stored.etag) {
        // The file is served from a copy no presigned PUT can reach (copyVerifiedObject).
        const finalKey = newObjectKey(asset.client_id);
        await copyVerifiedObject(storage, asset.object_key, stored.etag, finalKey);
        const ready = await settleAsset(db, asset.id, "ready", finalKey);
        if (!ready) {
          await deleteObject(storage, finalKey);
          throw new AppError(409, "conflict", "This upload was settled meanwhile; reload it.");
        }
        // The upload itself is no file of ours any more; assets:gc removes it if this fails.
        await deleteObject(storage, asset.object_key).catch(() => undefined);
        return c.json(toAsset(ready), 200);
      }
      // Object first: if storage fails now the row stays pending and the client can retry.
      if (stored) await deleteObject(storage, asset.object_key);
      await settleAsset(db, asset.id, "failed");
      const found = stored ? `${stored.size} bytes of ${stored.contentType}` : "no file";
      throw new AppError(
        409,
        "conflict",
        `Expected ${asset.size} bytes of ${asset.content_type}, storage has ${found}; the upload was discarded.`,
      );
    })
    .openapi(list, async (c) => {
      const { db } = c.get("deps");
      const { clientId, ...page } = c.req.valid("query");
      const userId = c.get("user").id;
      const result = await listAssets(db, clientId, userId, page);
      // An empty page may also mean "not yours": only then is access checked separately.
      if (result.items.length === 0 && !(await rosterRole(db, clientId, userId))) {
        throw AppError.notFound("Client not found.");
      }
      return c.json(result, 200);
    })
    .openapi(get, async (c) => {
      const { db } = c.get("deps");
      const userId = c.get("user").id;
      const access = await findAssetAccess(db, c.req.valid("param").id, userId);
      if (!access || !canRead(access, userId)) throw assetNotFound();
      const { asset } = access;
      const download = await presignDownload(storageOf(c), asset.object_key, asset.filename, asset.content_type);
      return c.json({ ...toAsset(asset), downloadUrl: download.url, downloadExpiresAt: download.expiresAt }, 200);
    })
    .openapi(remove, async (c) => {
      const { db } = c.get("deps");
      const userId = c.get("user").id;
      const access = await findAssetAccess(db, c.req.valid("param").id, userId);
      if (!access) throw assetNotFound();
      if (!canDelete(access, userId)) {
        throw canRead(access, userId)
          ? AppError.forbidden("Only the coach or the uploader can delete this file.")
          : assetNotFound();
      }
      // Object first: when storage fails the row stays and still points at an existing object.
      await deleteObject(storageOf(c), access.asset.object_key);
      await deleteAssetRow(db, access.asset.id);
      return c.body(null, 204);
    });
}
