import { S3Client } from "@aws-sdk/client-s3";
import type { Config } from "../config.ts";

/** S3 client for R2 in production or a local S3-compatible server (path-style) in dev and tests. */
export function createS3Client(s3: Config["s3"]): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    // R2 rejects the SDK's default CRC32 checksum headers on presigned PUTs from browsers.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    // A hanging storage endpoint must become a fast 503, not a request that never ends.
    requestHandler: { connectionTimeout: 2000, requestTimeout: 10_000 },
    maxAttempts: 2,
  });
}
