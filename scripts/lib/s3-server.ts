import { mkdir } from "node:fs/promises";
import S3rver from "s3rver";

export interface S3Server {
  endpoint: string;
  port: number;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

// s3rver accepts exactly these credentials for signed requests.
const ACCESS_KEY = "S3RVER";
const SECRET_KEY = "S3RVER";

// Browsers upload straight to presigned URLs, so the local bucket answers CORS like R2 would.
const CORS_XML = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

/**
 * Starts s3rver (a real S3-compatible HTTP server) in this process with one bucket, plus any
 * `extraBuckets` (e.g. the separate primary and backup buckets of the backup tests).
 */
export async function startS3(options: {
  port: number;
  directory: string;
  bucket: string;
  extraBuckets?: string[];
  /** Serve HTTPS with this key and certificate (PEM): pgBackRest speaks TLS only. */
  tls?: { key: string; cert: string };
}): Promise<S3Server> {
  await mkdir(options.directory, { recursive: true });
  const server = new S3rver({
    address: "127.0.0.1",
    port: options.port,
    directory: options.directory,
    silent: true,
    configureBuckets: [options.bucket, ...(options.extraBuckets ?? [])].map((name) => ({ name, configs: [CORS_XML] })),
    ...(options.tls ?? {}),
  });
  await server.run();
  return {
    endpoint: `${options.tls ? "https" : "http"}://127.0.0.1:${options.port}`,
    port: options.port,
    bucket: options.bucket,
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET_KEY,
    stop: () => server.close(),
  };
}
