import { Hono } from "hono";
import { type Auth, CLIENT_IP_HEADER } from "../../auth/auth.ts";
import type { AuthDatabase } from "../../auth/auth-database-errors.ts";
import type { Sql } from "../../db/database.ts";
import { AppError, errorBody, UNAVAILABLE_RETRY_AFTER_S } from "../../http/app-error.ts";
import type { AppBindings } from "../../http/bindings.ts";
import type { LimitName, RateLimiters } from "../../http/rate-limit.ts";
import { hashedKey, readAuthInput, withoutRawTokens } from "./auth-input.ts";

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
  if (response.status < 400) return withoutRawTokensIn(response);
  const original = (await response
    .clone()
    .json()
    .catch(() => ({}))) as { code?: string; message?: string; error?: unknown };
  const suspicious = response.status >= 500 || /^FAILED_TO_/.test(original.code ?? "");
  if (suspicious && (sawUnavailable || (await databaseDown(sql)))) {
    return Response.json(errorBody("service_unavailable", "A backing service is unavailable; try again shortly."), {
      status: 503,
      headers: { "Retry-After": String(UNAVAILABLE_RETRY_AFTER_S) },
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

/** A JSON answer with its raw session tokens removed (auth-input.ts, withoutRawTokens). */
async function withoutRawTokensIn(response: Response): Promise<Response> {
  if (!response.headers.get("content-type")?.includes("json")) return response;
  const body = await response
    .clone()
    .json()
    .catch(() => undefined);
  if (body === undefined || body === null) return response;
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return Response.json(withoutRawTokens(body), { status: response.status, headers });
}

const SIGN_IN = "/api/auth/sign-in/email";
/** Endpoints that take the current password: the same limits as a sign-in, or they are an oracle. */
const PASSWORD_CHECKS = new Set(["/api/auth/change-password", "/api/auth/change-email", "/api/auth/delete-user"]);

/**
 * Counts a request against the auth limits. The IP bucket comes first, and the narrower one (IP and
 * the email's hash, or IP and the credential's hash) only once it passed: a client the IP limit
 * already refused adds nothing anywhere.
 */
async function countAuthRequest(limiters: RateLimiters, method: string, path: string, key: string, narrow: string) {
  const stages: [LimitName, string][][] =
    path === SIGN_IN || PASSWORD_CHECKS.has(path)
      ? [[["signInPerIp", key]], [["signInPerIpEmail", `${key}|${narrow}`]]]
      : path === "/api/auth/sign-up/email"
        ? [[["signUpPerIp", key]]]
        : method === "POST"
          ? [[["authOtherPerIp", key]]]
          : [];
  for (const hits of stages) await limiters.consume(hits);
}

/**
 * better-auth at /api/auth/*, behind guards of ours: a state-changing request from an untrusted
 * Origin is refused (mobile apps send no Origin); over-long fields are refused before anything keys
 * on them; the brute-force limits shared through Redis (per IP or IPv6 /64, per IP and account, and
 * failed sign-ins per account from anywhere); the client IP better-auth records, decided by our
 * clientIp middleware; and no raw session token in any answer.
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
    const input = readAuthInput(body);
    const credential = c.req.header("authorization") ?? c.req.header("cookie") ?? "";
    const narrow = path === SIGN_IN ? `email:${hashedKey(input.email ?? "")}` : `credential:${hashedKey(credential)}`;
    await countAuthRequest(limiters, method, path, c.get("clientKey"), narrow);
    const account = `email:${hashedKey(input.email ?? "")}`;
    if (path === SIGN_IN) await limiters.check("signInFailuresPerAccount", account);

    const headers = new Headers(c.req.raw.headers);
    headers.set(CLIENT_IP_HEADER, c.get("clientIp"));
    const { value: response, unavailable } = await authDatabase.track(() =>
      auth.handler(new Request(c.req.url, { method, headers, body })),
    );
    if (path === SIGN_IN && response.status === 401) await limiters.penalize("signInFailuresPerAccount", account);
    if (path === SIGN_IN && response.status === 200) await limiters.reset("signInFailuresPerAccount", account);
    return toContractError(response, c.get("deps").sql, unavailable);
  });
}
