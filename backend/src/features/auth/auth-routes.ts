import { Hono } from "hono";
import { type Auth, CLIENT_IP_HEADER } from "../../auth/auth.ts";
import type { AuthDatabase } from "../../auth/auth-database-errors.ts";
import type { Sql } from "../../db/database.ts";
import { AppError, errorBody } from "../../http/app-error.ts";
import type { AppBindings } from "../../http/bindings.ts";
import type { LimitName, RateLimiters } from "../../http/rate-limit.ts";

const CODE_BY_STATUS: Record<number, [number, string]> = {
  400: [400, "validation_failed"],
  401: [401, "unauthenticated"],
  403: [403, "forbidden"],
  404: [404, "not_found"],
  415: [415, "unsupported_media_type"],
  // better-auth answers 422 for an email that is already registered: that is our 409 conflict.
  422: [409, "conflict"],
  429: [429, "rate_limited"],
};

async function emailOf(body: string | undefined): Promise<string> {
  try {
    const parsed = JSON.parse(body ?? "{}") as { email?: unknown };
    return typeof parsed.email === "string" ? parsed.email.trim().toLowerCase() : "";
  } catch {
    return "";
  }
}

/** True when Postgres does not answer `select 1` within a second. */
async function databaseDown(sql: Sql): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), 1000);
  });
  try {
    return await Promise.race([sql`select 1`.then(() => false), timeout]);
  } catch {
    return true;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Rewrites better-auth's `{code, message}` errors into the contract's error shape. better-auth
 * catches database errors itself and answers 500 (or 422 "failed to create user"); when one of the
 * request's queries found Postgres unreachable, or Postgres is down now, that is our
 * `503 service_unavailable`, so clients retry instead of giving up.
 */
async function toContractError(response: Response, sql: Sql, sawUnavailable: boolean): Promise<Response> {
  if (response.status < 400) return response;
  const original = (await response
    .clone()
    .json()
    .catch(() => ({}))) as { code?: string; message?: string; error?: unknown };
  const suspicious = response.status >= 500 || /^FAILED_TO_/.test(original.code ?? "");
  if (suspicious && (sawUnavailable || (await databaseDown(sql)))) {
    return Response.json(errorBody("service_unavailable", "A backing service is unavailable; try again shortly."), {
      status: 503,
    });
  }
  if (!response.headers.get("content-type")?.includes("json") && response.status < 500) return response;
  if (original.error) return Response.json(original, response);
  const [status, code] = CODE_BY_STATUS[response.status] ?? [
    response.status,
    response.status >= 500 ? "internal" : "bad_request",
  ];
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return Response.json(errorBody(code, original.message ?? "Request failed."), { status, headers });
}

/**
 * better-auth at /api/auth/*, behind three guards of ours: a state-changing request from an
 * untrusted Origin is refused (mobile apps send no Origin), the brute-force limits shared through
 * Redis, and the client IP better-auth records, decided by our clientIp middleware.
 */
export function authRoutes(auth: Auth, authDatabase: AuthDatabase, limiters: RateLimiters, trustedOrigins: string[]) {
  const trusted = new Set(trustedOrigins);
  return new Hono<AppBindings>().on(["GET", "POST"], "/api/auth/*", async (c) => {
    const { method, path } = c.req;
    const origin = c.req.header("origin");
    if (method === "POST" && origin && !trusted.has(origin)) {
      throw AppError.forbidden("Requests from this origin are not allowed.");
    }

    const body = method === "POST" ? await c.req.text() : undefined;
    const ip = c.get("clientIp");
    const hits: [LimitName, string][] =
      path === "/api/auth/sign-in/email"
        ? [
            ["signInPerIp", ip],
            ["signInPerIpEmail", `${ip}|${await emailOf(body)}`],
          ]
        : path === "/api/auth/sign-up/email"
          ? [["signUpPerIp", ip]]
          : method === "POST"
            ? [["authOtherPerIp", ip]]
            : [];
    if (hits.length > 0) await limiters.consume(hits);

    const headers = new Headers(c.req.raw.headers);
    headers.set(CLIENT_IP_HEADER, ip);
    const { value: response, unavailable } = await authDatabase.track(() =>
      auth.handler(new Request(c.req.url, { method, headers, body })),
    );
    return toContractError(response, c.get("deps").sql, unavailable);
  });
}
