import type { S3Client } from "@aws-sdk/client-s3";
import { AppError } from "../../http/app-error.ts";
import type { LazyS3Client } from "../../storage/s3-client.ts";
import { attachmentDisposition, withExtensionOf } from "./asset-filename.ts";

/** Long enough for a 50 MB upload on a slow mobile link, short enough that a leaked URL dies soon. */
export const UPLOAD_URL_TTL_SECONDS = 600;
export const DOWNLOAD_URL_TTL_SECONDS = 300;
/** S3's (and R2's) limit of keys per DeleteObjects request. */
const DELETE_BATCH = 1000;

/** The bucket the files live in and the client that reaches it. */
export interface AssetStorage {
  s3: LazyS3Client;
  bucket: string;
}

type Sdk = typeof import("@aws-sdk/client-s3");

/**
 * Runs `call` with the client and the SDK's command classes. Both load on the first file request
 * (LazyS3Client): the AWS SDK is 5 MB of heap that the API's hot path never uses.
 */
async function withS3<T>(storage: AssetStorage, call: (s3: S3Client, sdk: Sdk) => Promise<T>): Promise<T> {
  const [s3, sdk] = await Promise.all([storage.s3.get(), import("@aws-sdk/client-s3")]);
  return call(s3, sdk);
}

/** The presigner, loaded with the SDK. */
const presigner = () => import("@aws-sdk/s3-request-presigner");

/** Object key of a new upload: random, grouped by roster entry, never derived from the filename. */
export function newObjectKey(clientId: string): string {
  return `${clientObjectPrefix(clientId)}${crypto.randomUUID()}`;
}

export function clientObjectPrefix(clientId: string): string {
  return `clients/${clientId}/`;
}

/** Runs one storage call; any failure becomes the contract's 503 (the cause is kept for logs). */
async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const failure = AppError.serviceUnavailable("File storage is unavailable; try again shortly.");
    failure.cause = error;
    throw failure;
  }
}

/**
 * A presigned PUT. Content-Type and Content-Length are signed headers, so R2 refuses a body of
 * another size or type (403) — the SDK signs only content-length and host unless told otherwise.
 * `headers` is exactly what the client must send (browsers set Content-Length from the body).
 */
export async function presignUpload(storage: AssetStorage, key: string, contentType: string, size: number) {
  const signedAt = Date.now();
  const { getSignedUrl } = await presigner();
  const url = await guarded(() =>
    withS3(storage, (s3, { PutObjectCommand }) =>
      getSignedUrl(
        s3,
        new PutObjectCommand({ Bucket: storage.bucket, Key: key, ContentType: contentType, ContentLength: size }),
        { expiresIn: UPLOAD_URL_TTL_SECONDS, signableHeaders: new Set(["content-type", "content-length"]) },
      ),
    ),
  );
  return {
    url,
    method: "PUT" as const,
    headers: { "content-type": contentType, "content-length": String(size) },
    expiresAt: new Date(signedAt + UPLOAD_URL_TTL_SECONDS * 1000).toISOString(),
  };
}

/** A short-lived presigned GET that always downloads (never renders) under the stored name. */
export async function presignDownload(storage: AssetStorage, key: string, filename: string, contentType: string) {
  const signedAt = Date.now();
  const { getSignedUrl } = await presigner();
  const url = await guarded(() =>
    withS3(storage, (s3, { GetObjectCommand }) =>
      getSignedUrl(
        s3,
        new GetObjectCommand({
          Bucket: storage.bucket,
          Key: key,
          ResponseContentDisposition: attachmentDisposition(withExtensionOf(filename, contentType)),
          ResponseContentType: contentType,
        }),
        { expiresIn: DOWNLOAD_URL_TTL_SECONDS },
      ),
    ),
  );
  return { url, expiresAt: new Date(signedAt + DOWNLOAD_URL_TTL_SECONDS * 1000).toISOString() };
}

/** Size and type of a stored object, or undefined when there is none. */
export async function statObject(storage: AssetStorage, key: string) {
  try {
    const head = await withS3(storage, (s3, { HeadObjectCommand }) =>
      s3.send(new HeadObjectCommand({ Bucket: storage.bucket, Key: key })),
    );
    return { size: head.ContentLength, contentType: head.ContentType, etag: head.ETag };
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
    return guarded(() => Promise.reject(error));
  }
}

/**
 * Copies a verified upload to a key of its own, server-side, and only if it is still the object
 * that was checked (`CopySourceIfMatch` its ETag). The upload's presigned PUT stays valid for its
 * whole lifetime: without the copy, the uploader could replace a "ready" file's bytes with
 * anything of the same size and type. Nothing can write to the new key.
 */
export async function copyVerifiedObject(storage: AssetStorage, fromKey: string, etag: string, toKey: string) {
  await guarded(() =>
    withS3(storage, (s3, { CopyObjectCommand }) =>
      s3.send(
        new CopyObjectCommand({
          Bucket: storage.bucket,
          Key: toKey,
          CopySource: `${storage.bucket}/${encodeURIComponent(fromKey).replaceAll("%2F", "/")}`,
          CopySourceIfMatch: etag,
          MetadataDirective: "COPY",
        }),
      ),
    ),
  );
}

/** Deletes one object; deleting a missing key succeeds (S3 semantics). */
export async function deleteObject(storage: AssetStorage, key: string): Promise<void> {
  await guarded(() =>
    withS3(storage, (s3, { DeleteObjectCommand }) =>
      s3.send(new DeleteObjectCommand({ Bucket: storage.bucket, Key: key })),
    ),
  );
}

/**
 * Deletes keys in batches of 1000. Returns the keys storage confirmed; `failed` lists the rest
 * (a per-key error or a batch that never got an answer) so the caller can keep their rows.
 */
export async function deleteObjects(storage: AssetStorage, keys: string[]) {
  const deleted: string[] = [];
  const failed: string[] = [];
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    const batch = keys.slice(i, i + DELETE_BATCH);
    try {
      const result = await withS3(storage, (s3, { DeleteObjectsCommand }) =>
        s3.send(
          new DeleteObjectsCommand({
            Bucket: storage.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        ),
      );
      const errors = new Set((result.Errors ?? []).map((e) => e.Key));
      for (const key of batch) (errors.has(key) ? failed : deleted).push(key);
    } catch {
      failed.push(...keys.slice(i));
      break;
    }
  }
  return { deleted, failed };
}

/** Every object under `prefix`, page by page. */
export async function* listObjects(storage: AssetStorage, prefix: string) {
  let token: string | undefined;
  do {
    const page = await guarded(() =>
      withS3(storage, (s3, { ListObjectsV2Command }) =>
        s3.send(new ListObjectsV2Command({ Bucket: storage.bucket, Prefix: prefix, ContinuationToken: token })),
      ),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key) yield { key: object.Key, lastModified: object.LastModified ?? new Date(0) };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}
