import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { AppError } from "../../http/app-error.ts";
import type { AppBindings } from "../../http/bindings.ts";
import { ErrorSchema, errorResponses, forbiddenResponse } from "../../http/error-schema.ts";
import { json, jsonBody } from "../../http/openapi-helpers.ts";
import { createRouter } from "../../http/router.ts";
import { IdParam } from "../clients/client-schemas.ts";
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
  deleteObject,
  newObjectKey,
  presignDownload,
  presignUpload,
  statObject,
} from "./asset-storage.ts";

const tags = ["Assets"];
const { 400: invalid, 401: unauthenticated, 404: notFound, 503: unavailable } = errorResponses;

const create = createRoute({
  method: "post",
  path: "/api/v1/assets",
  tags,
  request: { body: jsonBody(CreateAssetSchema) },
  responses: {
    201: json(UploadSchema, "A pending asset and a presigned PUT, valid for 10 minutes"),
    400: invalid,
    401: unauthenticated,
    404: notFound,
    413: json(ErrorSchema, "Declared size over MAX_UPLOAD_BYTES (`payload_too_large`)"),
    415: json(ErrorSchema, "Content type not allowed (`unsupported_media_type`)"),
    503: unavailable,
  },
});

const complete = createRoute({
  method: "post",
  path: "/api/v1/assets/{id}/complete",
  tags,
  request: { params: IdParam },
  responses: {
    200: json(AssetSchema, "The stored object matches the declaration: ready"),
    401: unauthenticated,
    404: notFound,
    409: json(ErrorSchema, "Missing, or another size or type than declared: marked failed and removed (`conflict`)"),
    503: unavailable,
  },
});

const list = createRoute({
  method: "get",
  path: "/api/v1/assets",
  tags,
  request: { query: ListAssetsQuery },
  responses: {
    200: json(AssetPageSchema, "Ready files, newest first; client users see shared ones and their own"),
    400: invalid,
    401: unauthenticated,
    404: notFound,
  },
});

const get = createRoute({
  method: "get",
  path: "/api/v1/assets/{id}",
  tags,
  request: { params: IdParam },
  responses: {
    200: json(AssetDetailSchema, "The file with a short-lived download URL"),
    401: unauthenticated,
    404: notFound,
    503: unavailable,
  },
});

const remove = createRoute({
  method: "delete",
  path: "/api/v1/assets/{id}",
  tags,
  request: { params: IdParam },
  responses: {
    204: { description: "Object and metadata deleted" },
    401: unauthenticated,
    ...forbiddenResponse,
    404: notFound,
    503: unavailable,
  },
});

function storageOf(c: Context<AppBindings>): AssetStorage {
  const { s3, config } = c.get("deps");
  return { s3, bucket: config.s3.bucket };
}

const assetNotFound = () => AppError.notFound("File not found.");

/** Files of a roster entry: uploaded and downloaded straight from object storage with presigned URLs. */
export function assetRoutes() {
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
      const objectKey = newObjectKey(input.clientId);
      const upload = await presignUpload(storageOf(c), objectKey, input.contentType, input.size);
      const asset = await insertPendingAsset(db, { ...input, uploaderId: userId, objectKey });
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
      if (stored?.size === Number(asset.size) && stored.contentType === asset.content_type) {
        const ready = await settleAsset(db, asset.id, "ready");
        if (!ready) throw new AppError(409, "conflict", "This upload was settled meanwhile; reload it.");
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
