import type { S3Client } from "@aws-sdk/client-s3";
import type { Config } from "../config.ts";

/**
 * The S3 client, built on first use. The AWS SDK is about 5 MB of heap plus its code, and only the
 * file routes and the asset GC need it: the API's hot path (and its RSS budget) never loads it.
 */
export class LazyS3Client {
  private client: Promise<S3Client> | undefined;
  private readonly s3: Config["s3"];

  constructor(s3: Config["s3"]) {
    this.s3 = s3;
  }

  get(): Promise<S3Client> {
    this.client ??= createS3Client(this.s3);
    return this.client;
  }

  /** Whether the SDK has been asked for (for tests and diagnostics). */
  get loaded(): boolean {
    return this.client !== undefined;
  }

  destroy(): void {
    this.client?.then(
      (client) => client.destroy(),
      () => {},
    );
  }
}

/** S3 client for R2 in production or a local S3-compatible server (path-style) in dev and tests. */
async function createS3Client(s3: Config["s3"]): Promise<S3Client> {
  const { S3Client } = await import("@aws-sdk/client-s3");
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
