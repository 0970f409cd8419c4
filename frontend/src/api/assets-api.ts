import type { InferRequestType, InferResponseType } from "hono/client";
import { ApiError } from "./api-error.ts";
import { api } from "./client.ts";
import { unwrap } from "./unwrap.ts";

const assets = api.api.v1.assets;
const asset = assets[":id"];

export type Asset = InferResponseType<(typeof assets)["$get"], 200>["items"][number];
export type AssetVisibility = Asset["visibility"];
type CreatedAsset = InferResponseType<(typeof assets)["$post"], 201>;
type AssetInput = InferRequestType<(typeof assets)["$post"]>["json"];

/** The upload types the API accepts (anything else is refused with 415 before signing). */
export const ACCEPTED_TYPES = [
  "application/pdf",
  "image/png",
  "image/jpeg",
  "image/webp",
  "image/heic",
  "audio/mpeg",
  "audio/mp4",
  "video/mp4",
  "text/plain",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
].join(",");

export function listAssets(clientId: string) {
  return unwrap(assets.$get({ query: { clientId, limit: "100" } }));
}

export function getAsset(id: string) {
  return unwrap(asset.$get({ param: { id } }));
}

export function deleteAsset(id: string) {
  return unwrap(asset.$delete({ param: { id } }));
}

function registerAsset(input: AssetInput) {
  return unwrap(assets.$post({ json: input }));
}

/**
 * Registers the file, PUTs it straight to the presigned URL (R2 in production) and confirms it.
 * XMLHttpRequest rather than fetch because only XHR reports upload progress.
 */
export async function uploadAsset(
  input: { clientId: string; file: File; visibility: AssetVisibility },
  onProgress: (fraction: number) => void,
): Promise<void> {
  const { file } = input;
  const created = await registerAsset({
    clientId: input.clientId,
    filename: file.name,
    contentType: file.type || "application/octet-stream",
    size: file.size,
    visibility: input.visibility,
  });
  await putWithProgress(created.upload, file, onProgress);
  await unwrap(asset.complete.$post({ param: { id: created.id } }));
}

// The browser sets these itself and logs an error when a page tries to.
const BROWSER_OWNED_HEADERS = new Set(["content-length", "host", "connection"]);

function putWithProgress(upload: CreatedAsset["upload"], file: File, onProgress: (fraction: number) => void) {
  return new Promise<void>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(upload.method, upload.url);
    for (const [name, value] of Object.entries(upload.headers)) {
      if (!BROWSER_OWNED_HEADERS.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else reject(new ApiError(xhr.status, "upload_failed", `The storage refused the upload (${xhr.status}).`));
    };
    xhr.onerror = () => reject(new ApiError(0, "network_error", "The upload failed: storage could not be reached."));
    xhr.send(file);
  });
}
