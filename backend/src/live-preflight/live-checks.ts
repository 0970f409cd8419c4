import { certificate, type Exchange, header, type ProbeOptions, request } from "./probe.ts";

/** One line of the checklist. */
export interface Check {
  ok: boolean;
  label: string;
  detail: string;
}

export interface LiveOptions extends ProbeOptions {
  apiUrl: string;
  webUrl: string;
  /** /health must report this version (the commit just deployed). */
  expectVersion?: string | undefined;
  /** A dedicated account the check signs in with, to see the session cookie's flags. */
  account?: { email: string; password: string } | undefined;
}

/** HSTS below 180 days is not worth the preload lists' and browsers' while. */
const MIN_HSTS_S = 15_552_000;
/** An origin no deployment trusts, for the CORS refusal. */
const FOREIGN_ORIGIN = "https://preflight-foreign-origin.invalid";
const MIN_CERT_DAYS = 14;

const SECURITY_HEADERS: [name: string, expected: RegExp][] = [
  ["X-Content-Type-Options", /^nosniff$/i],
  ["X-Frame-Options", /^DENY$/i],
  ["Referrer-Policy", /^(strict-origin-when-cross-origin|strict-origin|no-referrer|same-origin)$/i],
  ["Permissions-Policy", /camera=\(\)/],
];

/**
 * The pre-deployment checklist (docs/deploy.md), run from outside against the public URLs: TLS,
 * HSTS, security headers, the session cookie's flags, exact CORS, /health and its version, the
 * primary and Redis behind /health/ready, the /docs policy, and the web app's CSP, SPA fallback and the API URL in its bundle.
 */
export async function runLiveChecks(options: LiveOptions): Promise<Check[]> {
  const api = new URL(options.apiUrl).origin;
  const web = new URL(options.webUrl).origin;
  const probe = { ca: options.ca, timeoutMs: options.timeoutMs };
  const checks: Check[] = [];
  const run = async (label: string, body: () => Promise<[ok: boolean, detail: string]>) => {
    try {
      const [ok, detail] = await body();
      checks.push({ ok, label, detail });
    } catch (error) {
      checks.push({ ok: false, label, detail: (error as Error).message });
    }
  };

  await run("API TLS certificate", () => tlsCheck(api, probe));
  let health: Exchange | undefined;
  await run("API /health", async () => {
    health = await request(`${api}/health`, { ...probe, headers: { origin: web } });
    const body = JSON.parse(health.body) as { status?: string; version?: string };
    if (health.status !== 200 || body.status !== "ok") return [false, `${health.status} ${health.body.slice(0, 100)}`];
    if (options.expectVersion && body.version !== options.expectVersion)
      return [false, `version ${body.version}, expected ${options.expectVersion}`];
    return [true, `200, version ${body.version}`];
  });
  // The data tier as the API sees it: DATABASE_URL lists every data node and the API keeps the one
  // that is the primary; Redis is reported by the route, not required by it.
  await run("API database and Redis (/health/ready)", async () => {
    const ready = await request(`${api}/health/ready`, probe);
    const body = JSON.parse(ready.body) as { checks?: { postgres?: string; redis?: string; store?: string } };
    const { postgres, redis, store } = body.checks ?? {};
    if (ready.status !== 200 || postgres !== "ok")
      return [
        false,
        `${ready.status}, database ${postgres ?? "?"}: no data node answers as the primary (data-tier/check.sh)`,
      ];
    if (store === "redis" && redis !== "ok")
      return [
        false,
        `the primary answers; Redis ${redis ?? "?"}: the API serves without it, with sessions from Postgres`,
      ];
    return [true, `200, the primary answers, ${store === "redis" ? "Redis ok" : `store ${store ?? "?"}`}`];
  });
  await run("API Strict-Transport-Security", async () => hstsCheck(health ?? (await request(`${api}/health`, probe))));
  await run("API security headers", async () => headersCheck(health ?? (await request(`${api}/health`, probe))));
  await run("API CORS allows the web origin", async () => {
    const preflight = await request(`${api}/api/v1/me`, {
      ...probe,
      method: "OPTIONS",
      headers: {
        origin: web,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    const allowed = header(preflight, "access-control-allow-origin");
    const credentials = header(preflight, "access-control-allow-credentials");
    if (allowed !== web) return [false, `Access-Control-Allow-Origin: ${allowed ?? "(none)"}`];
    if (credentials !== "true") return [false, `Access-Control-Allow-Credentials: ${credentials ?? "(none)"}`];
    return [true, `preflight ${preflight.status}, exact origin, with credentials`];
  });
  await run("API CORS refuses other origins", async () => {
    const foreign = await request(`${api}/health`, { ...probe, headers: { origin: FOREIGN_ORIGIN } });
    const allowed = header(foreign, "access-control-allow-origin");
    if (allowed === "*") return [false, "Access-Control-Allow-Origin: * (any site)"];
    if (allowed) return [false, `Access-Control-Allow-Origin: ${allowed} for ${FOREIGN_ORIGIN}`];
    return [true, `no Access-Control-Allow-Origin for ${FOREIGN_ORIGIN}`];
  });
  await run("API session cookie", () => cookieCheck(api, web, options.account, probe));
  await run("API /docs not served", async () => {
    const docs = await request(`${api}/docs`, probe);
    return docs.status === 404
      ? [true, "404"]
      : [false, `${docs.status}: set DOCS_ENABLED=false (docs/configuration.md)`];
  });
  await run("API /openapi.json", async () => {
    const document = await request(`${api}/openapi.json`, probe);
    const ok = document.status === 200 && (JSON.parse(document.body) as { openapi?: string }).openapi?.startsWith("3.");
    return [Boolean(ok), `${document.status}`];
  });

  await run("web TLS certificate", () => tlsCheck(web, probe));
  let page: Exchange | undefined;
  await run("web Content-Security-Policy", async () => {
    page = await request(`${web}/`, probe);
    const csp = header(page, "content-security-policy");
    if (!csp)
      return [false, "no Content-Security-Policy header (frontend/build/pages-files-plugin.ts writes _headers)"];
    const directives = new Map(
      csp.split(";").map((d) => {
        const [name = "", ...values] = d.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    const missing = [
      directives.get("default-src")?.includes("'self'") ? undefined : "default-src 'self'",
      directives.get("frame-ancestors")?.includes("'none'") ? undefined : "frame-ancestors 'none'",
      directives.get("connect-src")?.includes(api) ? undefined : `connect-src ${api}`,
      directives.get("script-src")?.some((v) => v.includes("unsafe")) ? "script-src without 'unsafe-*'" : undefined,
    ].filter(Boolean);
    return missing.length === 0 ? [true, csp.slice(0, 80)] : [false, `missing ${missing.join(", ")}`];
  });
  await run("web security headers and HSTS", async () => {
    const response = page ?? (await request(`${web}/`, probe));
    const [headersOk, headersDetail] = headersCheck(response);
    const [hstsOk, hstsDetail] = hstsCheck(response);
    return [headersOk && hstsOk, headersOk && hstsOk ? "present" : [headersDetail, hstsDetail].join("; ")];
  });
  await run("web deep link serves the app", async () => {
    const deep = await request(`${web}/clients/preflight-deep-link`, probe);
    const html = header(deep, "content-type")?.includes("text/html") && deep.body.includes('id="root"');
    return deep.status === 200 && html
      ? [true, "/clients/… → 200 index.html (_redirects)"]
      : [false, `/clients/… → ${deep.status} ${header(deep, "content-type") ?? ""}`];
  });
  await run("web bundle calls the API", async () => {
    const html = page?.body ?? (await request(`${web}/`, probe)).body;
    const scripts = [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1] as string);
    if (scripts.length === 0) return [false, "no script in index.html"];
    for (const src of scripts) {
      const bundle = await request(new URL(src, web).toString(), probe);
      if (bundle.body.includes(api)) return [true, `${src} names ${api}`];
    }
    // The same build wrote _headers: its connect-src names the API the bundle was built for.
    const connect = (header(page ?? (await request(`${web}/`, probe)), "content-security-policy") ?? "")
      .split(";")
      .find((directive) => directive.trim().startsWith("connect-src"))
      ?.trim()
      .split(/\s+/)
      .slice(1)
      .filter((source) => source.startsWith("http"));
    const hint = connect?.length ? `; its connect-src names ${connect.join(" ")}` : "";
    return [false, `no script names ${api}${hint}: rebuild with VITE_API_URL=${api} (docs/frontend.md)`];
  });
  return checks;
}

async function tlsCheck(origin: string, probe: ProbeOptions): Promise<[boolean, string]> {
  if (!origin.startsWith("https://")) return [false, `${origin} is not HTTPS`];
  const cert = await certificate(origin, probe);
  const days = Math.floor((cert.validTo.getTime() - Date.now()) / 86_400_000);
  if (!cert.authorized) return [false, `not trusted: ${cert.error}`];
  if (days < MIN_CERT_DAYS) return [false, `expires in ${days} days`];
  return [true, `valid for ${new URL(origin).hostname} (${cert.subject}), expires in ${days} days`];
}

function hstsCheck(response: Exchange): [boolean, string] {
  const hsts = header(response, "strict-transport-security");
  const maxAge = Number(hsts?.match(/max-age=(\d+)/i)?.[1] ?? 0);
  if (!hsts) return [false, "no Strict-Transport-Security header"];
  return maxAge >= MIN_HSTS_S ? [true, hsts] : [false, `max-age ${maxAge} below ${MIN_HSTS_S} (180 days)`];
}

function headersCheck(response: Exchange): [boolean, string] {
  const wrong = SECURITY_HEADERS.filter(([name, expected]) => !expected.test(header(response, name) ?? "")).map(
    ([name]) => `${name}: ${header(response, name) ?? "(missing)"}`,
  );
  return wrong.length === 0 ? [true, SECURITY_HEADERS.map(([name]) => name).join(", ")] : [false, wrong.join("; ")];
}

/** Signs the check account in, reads the session cookie's attributes, and signs out again. */
async function cookieCheck(
  api: string,
  web: string,
  account: LiveOptions["account"],
  probe: ProbeOptions,
): Promise<[boolean, string]> {
  if (!account) return [false, "not checked: set PREFLIGHT_EMAIL and PREFLIGHT_PASSWORD (a dedicated check account)"];
  const signIn = await request(`${api}/api/auth/sign-in/email`, {
    ...probe,
    method: "POST",
    headers: { origin: web, "content-type": "application/json" },
    body: JSON.stringify(account),
  });
  if (signIn.status !== 200) return [false, `sign-in answered ${signIn.status}: ${signIn.body.slice(0, 120)}`];
  const cookies = signIn.headers["set-cookie"] ?? [];
  const session = cookies.find((cookie) => /session_token=/.test(cookie.split(";")[0] ?? ""));
  if (!session) return [false, "no session cookie in the sign-in response"];
  const [pair = "", ...attributes] = session.split(";").map((part) => part.trim());
  const name = pair.split("=")[0] ?? "";
  const has = (attribute: string) => attributes.some((a) => a.toLowerCase() === attribute.toLowerCase());
  const value = (attribute: string) =>
    attributes.find((a) => a.toLowerCase().startsWith(`${attribute.toLowerCase()}=`))?.split("=")[1];
  const problems = [
    has("Secure") ? undefined : "no Secure",
    has("HttpOnly") ? undefined : "no HttpOnly",
    value("SameSite")?.toLowerCase() === "strict" ? undefined : `SameSite=${value("SameSite") ?? "(none)"}`,
    value("Path") === "/" ? undefined : `Path=${value("Path") ?? "(none)"}`,
    value("Domain") === undefined ? undefined : `Domain=${value("Domain")} (shared with sibling hosts)`,
    name.startsWith("__Secure-") || name.startsWith("__Host-") ? undefined : `name ${name} without __Secure-/__Host-`,
  ].filter(Boolean);
  await request(`${api}/api/auth/sign-out`, {
    ...probe,
    method: "POST",
    headers: { origin: web, cookie: pair, "content-type": "application/json" },
    body: "{}",
  }).catch(() => undefined);
  return problems.length === 0 ? [true, `${name}; ${attributes.join("; ")}`] : [false, problems.join(", ")];
}
