import { createHash, randomBytes } from "node:crypto";
import { HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { type Actor, as, expectOk } from "./domain-fixtures.ts";
import type { TestApp } from "./test-app.ts";

export const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

export interface UploadSpec {
  clientId: string;
  bytes?: Uint8Array;
  filename?: string;
  contentType?: string;
  visibility?: "private" | "shared";
}

/** POST /assets for `spec` (declared size = the bytes' length); returns the 201 body. */
export async function createUpload(api: TestApp, actor: Actor, spec: UploadSpec) {
  const bytes = spec.bytes ?? randomBytes(1024);
  const created = await expectOk(
    as(actor, api, "POST", "/api/v1/assets", {
      clientId: spec.clientId,
      filename: spec.filename ?? "notes.txt",
      contentType: spec.contentType ?? "text/plain",
      size: bytes.length,
      visibility: spec.visibility ?? "private",
    }),
    201,
  );
  return { ...created, bytes } as typeof created & { bytes: Uint8Array };
}

/** PUTs bytes to a presigned upload URL the way a client does: with exactly the headers it was given. */
export async function putToPresigned(upload: { url: string; headers: Record<string, string> }, bytes: Uint8Array) {
  const response = await fetch(upload.url, { method: "PUT", headers: upload.headers, body: bytes });
  await response.arrayBuffer();
  return response.status;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response fields
type ReadyAsset = Record<string, any> & { id: string; bytes: Uint8Array };

/** A ready asset through the public API: create → PUT → complete. */
export async function readyAsset(api: TestApp, actor: Actor, spec: UploadSpec): Promise<ReadyAsset> {
  const created = await createUpload(api, actor, spec);
  const status = await putToPresigned(created.upload, created.bytes);
  if (status !== 200) throw new Error(`presigned PUT answered ${status}`);
  const asset = await expectOk(as(actor, api, "POST", `/api/v1/assets/${created.id}/complete`));
  return { ...asset, id: String(asset.id), bytes: created.bytes };
}

/** The object key behind an asset (never exposed by the API). */
export async function objectKeyOf(api: TestApp, assetId: string): Promise<string> {
  const row = await api.deps.db
    .selectFrom("assets")
    .select("object_key")
    .where("id", "=", assetId)
    .executeTakeFirstOrThrow();
  return row.object_key;
}

/** HTTP status of HeadObject on `key` in the app's bucket (200 or 404). */
export async function headStatus(api: TestApp, key: string): Promise<number> {
  try {
    await (await api.deps.s3.get()).send(new HeadObjectCommand({ Bucket: api.deps.config.s3.bucket, Key: key }));
    return 200;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === undefined) throw error;
    return status;
  }
}

/** Keys in the app's bucket under `prefix`. */
export async function keysUnder(api: TestApp, prefix: string): Promise<string[]> {
  const page = await (await api.deps.s3.get()).send(
    new ListObjectsV2Command({ Bucket: api.deps.config.s3.bucket, Prefix: prefix }),
  );
  return (page.Contents ?? []).map((o) => o.Key ?? "");
}
