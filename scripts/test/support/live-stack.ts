import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { resetRateLimits } from "../../../bench/lib/stack.ts";
import { ensureBackendBuild } from "../../drills/api-process.ts";
import { spawnTracked, type TrackedChild } from "../../drills/child-processes.ts";
import { assertHaproxyInstalled } from "../../drills/edge-haproxy.ts";
import { freePort } from "../../lib/free-port.ts";
import { startPostgres } from "../../lib/postgres-server.ts";
import { startRedis, waitForPort } from "../../lib/redis-server.ts";
import { startS3 } from "../../lib/s3-server.ts";
import { ROOT, run, serve, stopProcess } from "../e2e/support/web-stack.ts";

/** HAProxy rules that break one setting of the deployment, as a misconfigured edge would. */
export type Breakage = "none" | "security-header" | "cookie-secure" | "cors-any";

const BREAKAGE_RULES: Record<Breakage, string[]> = {
  none: [],
  "security-header": ["  http-response del-header X-Content-Type-Options"],
  "cookie-secure": ["  http-response replace-header Set-Cookie (.*);\\ Secure(.*) \\1\\2"],
  "cors-any": ["  http-response set-header Access-Control-Allow-Origin *"],
};

export interface LiveStack {
  apiUrl: string;
  webUrl: string;
  caFile: string;
  account: { email: string; password: string };
  /** The built web app served by Cloudflare's Pages emulator: the real one, or one that calls `apiOrigin`. */
  serveWeb(variant: "built" | { apiOrigin: string }): Promise<void>;
  /** The edge (HAProxy terminating TLS) with one setting broken. */
  edge(breakage: Breakage): Promise<void>;
  /** The API restarted with extra environment (e.g. DOCS_ENABLED=true). */
  restartApi(env?: Record<string, string>): Promise<void>;
  /** Deletes the API's rate-limit counters in Redis. */
  resetRateLimits(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The production deployment in miniature for `pnpm preflight --live`: the built API in production
 * mode (Postgres, Redis with a password, S3), the web app built for it and served by `wrangler pages
 * dev` (which applies _headers and _redirects as Pages does), and HAProxy terminating TLS in front of
 * both with a certificate from a private CA, as Cloudflare's edge does with a public one.
 */
export async function startLiveStack(): Promise<LiveStack> {
  assertHaproxyInstalled();
  ensureBackendBuild();
  const dir = await mkdtemp(path.join(tmpdir(), "live-preflight-"));
  const stops: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
  };
  try {
    const [apiPort, webPort, apiTls, webTls, pgPort, redisPort, s3Port] = (await Promise.all(
      Array.from({ length: 7 }, () => freePort()),
    )) as [number, number, number, number, number, number, number];
    const apiUrl = `https://localhost:${apiTls}`;
    const webUrl = `https://localhost:${webTls}`;
    const { caFile, pemFile } = makeCertificates(dir);

    const web = path.join(dir, "web");
    const build = run(
      path.join(ROOT, "frontend/node_modules/.bin/vite"),
      ["build", "--logLevel", "warn", "--outDir", web, "--emptyOutDir"],
      {
        cwd: path.join(ROOT, "frontend"),
        env: { ...process.env, VITE_API_URL: apiUrl, VITE_UPLOAD_ORIGIN: `http://127.0.0.1:${s3Port}` },
      },
    );
    const [pg, redis, s3] = await Promise.all([
      startPostgres({ dataDir: path.join(dir, "pg"), port: pgPort, ephemeral: true }),
      startRedis(redisPort, randomBytes(12).toString("hex")),
      startS3({ port: s3Port, directory: path.join(dir, "s3"), bucket: "coaching-app-live" }),
    ]);
    stops.push(
      () => pg.stop(),
      () => redis.stop(),
      () => s3.stop(),
    );
    const admin = postgres(pg.adminUrl, { max: 1, onnotice: () => undefined });
    await admin.unsafe("create database live");
    await admin.end();

    const apiEnv = {
      ...process.env,
      APP_ENV: "production",
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(apiPort),
      DATABASE_URL: pg.urlFor("live"),
      REDIS_URL: redis.url,
      BETTER_AUTH_SECRET: randomBytes(36).toString("base64"),
      BETTER_AUTH_URL: apiUrl,
      CORS_ORIGIN: webUrl,
      TRUST_PROXY: "cloudflare",
      LOG_LEVEL: "warn",
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_REGION: "us-east-1",
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_FORCE_PATH_STYLE: "true",
      APP_VERSION: "live-check",
    };
    execFileSync(process.execPath, ["backend/dist/db/migrate-cli.js"], { cwd: ROOT, env: apiEnv, stdio: "pipe" });
    let api: TrackedChild | undefined;
    const restartApi = async (extra: Record<string, string> = {}) => {
      await api?.stop("SIGTERM", 15_000);
      api = spawnTracked("api", process.execPath, ["backend/dist/main.js"], {
        cwd: ROOT,
        env: { ...apiEnv, ...extra },
      });
      await waitForPort(apiPort, 30_000).catch((error: Error) => {
        throw new Error(`${error.message}\n${api?.output()}`);
      });
    };
    await restartApi();
    stops.push(() => api?.stop("SIGKILL") ?? Promise.resolve());

    let haproxy: TrackedChild | undefined;
    const edge = async (breakage: Breakage) => {
      await haproxy?.stop("SIGTERM", 5_000);
      const config = path.join(dir, "haproxy.cfg");
      await writeFile(config, haproxyConfig({ apiTls, webTls, apiPort, webPort, pemFile }, breakage));
      const check = spawnSync("haproxy", ["-c", "-f", config], { encoding: "utf8" });
      if (check.status !== 0) throw new Error(`invalid haproxy config:\n${check.stdout}${check.stderr}`);
      haproxy = spawnTracked("haproxy", "haproxy", ["-db", "-f", config]);
      await waitForPort(apiTls, 10_000);
      await waitForPort(webTls, 10_000);
    };
    await edge("none");
    stops.push(() => haproxy?.stop("SIGKILL") ?? Promise.resolve());

    await build;
    let wrangler: Awaited<ReturnType<typeof serve>> | undefined;
    const serveWeb = async (variant: "built" | { apiOrigin: string }) => {
      if (wrangler) await stopProcess(wrangler.child);
      let root = web;
      if (variant !== "built") {
        // The same app built with another VITE_API_URL: every mention of the API's origin replaced.
        root = path.join(dir, "web-other");
        await rm(root, { recursive: true, force: true });
        await cp(web, root, { recursive: true });
        for (const file of [path.join(root, "_headers"), ...(await assetFiles(root))]) {
          await writeFile(file, (await readFile(file, "utf8")).replaceAll(apiUrl, variant.apiOrigin));
        }
      }
      wrangler = await serve(
        "wrangler pages dev",
        path.join(ROOT, "frontend/node_modules/.bin/wrangler"),
        ["pages", "dev", root, "--port", String(webPort), "--ip", "127.0.0.1", "--compatibility-date", "2025-01-01"],
        {
          cwd: dir,
          url: `http://127.0.0.1:${webPort}/`,
          env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_API_TOKEN: "", XDG_CONFIG_HOME: dir },
        },
      );
    };
    await serveWeb("built");
    stops.push(() => (wrangler ? stopProcess(wrangler.child) : Promise.resolve()));

    // The check account, signed up through the edge as a user would.
    const account = { email: "preflight-check@example.com", password: randomBytes(12).toString("hex") };
    const signUp = await fetch(`http://127.0.0.1:${apiPort}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: webUrl, "cf-connecting-ip": "203.0.113.5" },
      body: JSON.stringify({ ...account, name: "Preflight check" }),
    });
    if (!signUp.ok) throw new Error(`sign-up of the check account: ${signUp.status} ${await signUp.text()}`);
    return {
      apiUrl,
      webUrl,
      caFile,
      account,
      serveWeb,
      edge,
      restartApi,
      resetRateLimits: () => resetRateLimits(redis.url),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function assetFiles(root: string): Promise<string[]> {
  const assets = path.join(root, "assets");
  return (await readdir(assets)).filter((f) => f.endsWith(".js")).map((f) => path.join(assets, f));
}

/** A private CA and a certificate for localhost / 127.0.0.1 signed by it (openssl). */
function makeCertificates(dir: string) {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "30",
    "-subj",
    "/CN=preflight test CA",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
  );
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=localhost",
    "-keyout",
    file("server.key"),
    "-out",
    file("server.csr"),
  );
  execFileSync("bash", ["-c", `printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > ${file("san.ext")}`]);
  openssl(
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-days",
    "30",
    "-extfile",
    file("san.ext"),
    "-out",
    file("server.crt"),
  );
  execFileSync("bash", ["-c", `cat ${file("server.crt")} ${file("server.key")} > ${file("server.pem")}`]);
  return { caFile: file("ca.pem"), pemFile: file("server.pem") };
}

function haproxyConfig(
  ports: { apiTls: number; webTls: number; apiPort: number; webPort: number; pemFile: string },
  breakage: Breakage,
): string {
  return `${[
    "global",
    "  maxconn 512",
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    "  timeout client 30s",
    "  timeout server 30s",
    "frontend api",
    `  bind 127.0.0.1:${ports.apiTls} ssl crt ${ports.pemFile}`,
    // As Cloudflare's edge does; the API trusts it with TRUST_PROXY=cloudflare.
    "  http-request set-header CF-Connecting-IP %[src]",
    ...BREAKAGE_RULES[breakage],
    "  default_backend api",
    "backend api",
    `  server api 127.0.0.1:${ports.apiPort}`,
    "frontend web",
    `  bind 127.0.0.1:${ports.webTls} ssl crt ${ports.pemFile}`,
    "  default_backend web",
    "backend web",
    `  server web 127.0.0.1:${ports.webPort}`,
  ].join("\n")}\n`;
}
