import { z } from "@hono/zod-openapi";
import { pageQuery, pageSchema } from "../../http/pagination.ts";
import { sanitizeFilename } from "./asset-filename.ts";

/** The only types an upload may declare (anything else → 415): documents, images, audio, video. */
export const ALLOWED_CONTENT_TYPES: ReadonlySet<string> = new Set([
  "application/pdf",
  "image/png",
  "image/jpeg",
  "image/webp",
  "image/heic",
  "audio/mpeg",
  "audio/mp4", // .m4a
  "video/mp4",
  "text/plain",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document", // .docx
]);

export const assetVisibility = z.enum(["private", "shared"]);

export const AssetSchema = z
  .object({
    id: z.uuid(),
    clientId: z.uuid(),
    uploaderId: z.string().nullable(),
    filename: z.string(),
    contentType: z.string(),
    size: z.number().int(),
    visibility: assetVisibility,
    status: z.enum(["pending", "ready", "failed"]),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Asset");

export const AssetDetailSchema = AssetSchema.extend({
  downloadUrl: z.url().openapi({ description: "Presigned GET, valid for 5 minutes; downloads as an attachment" }),
  downloadExpiresAt: z.iso.datetime(),
}).openapi("AssetDetail");

export const AssetPageSchema = pageSchema(AssetSchema).openapi("AssetPage");

export const CreateAssetSchema = z
  .object({
    clientId: z.uuid(),
    filename: z
      .string()
      .min(1)
      .max(1024)
      .transform(sanitizeFilename)
      .openapi({ description: "Display name; path segments and control characters are removed" }),
    contentType: z
      .string()
      .trim()
      .toLowerCase()
      .min(1)
      .max(255)
      .openapi({ description: `One of: ${[...ALLOWED_CONTENT_TYPES].join(", ")} (else 415)` }),
    size: z.int().min(1).openapi({ description: "Bytes; at most MAX_UPLOAD_BYTES (else 413)" }),
    visibility: assetVisibility.default("private"),
  })
  .openapi("CreateAsset");

export const UploadSchema = z
  .object({
    id: z.uuid(),
    status: z.literal("pending"),
    upload: z.object({
      url: z.url(),
      method: z.literal("PUT"),
      headers: z
        .record(z.string(), z.string())
        .openapi({ description: "Send exactly these headers with the PUT; the signature binds them" }),
      expiresAt: z.iso.datetime(),
    }),
  })
  .openapi("AssetUpload", {
    description: "PUT the bytes to `upload.url`, then call `POST /api/v1/assets/{id}/complete`.",
  });

export const ListAssetsQuery = pageQuery.extend({ clientId: z.uuid() });
