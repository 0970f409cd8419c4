import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "../logger.ts";
import { AppError, errorBody, UNAVAILABLE_RETRY_AFTER_S } from "./app-error.ts";
import type { AppBindings } from "./bindings.ts";
import { RateLimitedError } from "./rate-limit.ts";

// postgres.js / node socket codes and SQLSTATEs that mean "the database is not reachable right now".
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EPIPE",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  // A write reached a standby: the node was demoted under an open connection (switchover). The
  // next connection finds the primary (target_session_attrs=primary), so this is a retry, not a bug.
  "25006", // read_only_sql_transaction
]);

const HTTP_EXCEPTION_CODES: Record<number, string> = {
  400: "validation_failed",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
  503: "service_unavailable",
};

/**
 * The contract's answer for each exclusion constraint, by name: a second constraint must not
 * inherit the appointment's code. An unknown one is a plain `409 conflict`.
 */
const EXCLUSION_CONFLICTS: Record<string, [code: string, message: string]> = {
  appointments_no_overlap: ["appointment_conflict", "This time overlaps another scheduled appointment."],
};

/** postgres.js puts the violated constraint's name on the error (`constraint_name`). */
function constraintName(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const name = (error as { constraint_name?: unknown }).constraint_name;
  if (typeof name === "string") return name;
  return constraintName((error as { cause?: unknown }).cause);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return code;
  return errorCode((error as { cause?: unknown }).cause);
}

/** True when the error says Postgres (or another backing service) cannot be reached. */
export function isUnavailableError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && UNAVAILABLE_CODES.has(code);
}

function respond(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details?: AppError["details"],
) {
  return c.json(errorBody(code, message, details), status);
}

/** Turns every thrown error into the contract's error shape; never leaks stacks or SQL. */
export function createErrorHandler(logger: Logger): ErrorHandler<AppBindings> {
  return (error, c) => {
    if (error instanceof AppError) {
      if (error instanceof RateLimitedError) c.header("Retry-After", String(error.retryAfterSeconds));
      if (error.status === 503) {
        c.header("Retry-After", String(UNAVAILABLE_RETRY_AFTER_S));
        logger.warn({ reqId: c.get("requestId"), code: error.code }, error.message);
      }
      return respond(c, error.status, error.code, error.message, error.details);
    }
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      const code = HTTP_EXCEPTION_CODES[status] ?? (status >= 500 ? "internal" : "bad_request");
      const message = status === 400 ? "The request body is not valid JSON." : error.message || "Request failed.";
      return respond(c, status, code, message);
    }
    const code = errorCode(error);
    // Constraints are the last line of defence for the contract's 409s.
    if (code === "23P01") {
      const [conflict, message] = EXCLUSION_CONFLICTS[constraintName(error) ?? ""] ?? [
        "conflict",
        "This conflicts with an existing record.",
      ];
      return respond(c, 409, conflict, message);
    }
    if (code === "23505") return respond(c, 409, "conflict", "This already exists.");
    // Class 22 (data exception): a value Postgres cannot store, e.g. a NUL character in text.
    if (code?.startsWith("22")) return respond(c, 400, "validation_failed", "A value in the request cannot be stored.");
    if (isUnavailableError(error)) {
      logger.warn({ reqId: c.get("requestId"), code: errorCode(error) }, "backing service unavailable");
      c.header("Retry-After", String(UNAVAILABLE_RETRY_AFTER_S));
      return respond(c, 503, "service_unavailable", "A backing service is unavailable; try again shortly.");
    }
    const requestId = c.get("requestId");
    logger.error({ err: error, reqId: requestId, path: c.req.path }, "unhandled error");
    return respond(c, 500, "internal", `Something went wrong on our side (request ${requestId}).`);
  };
}

export const notFoundHandler: NotFoundHandler<AppBindings> = (c) =>
  respond(c, 404, "not_found", `No route for ${c.req.method} ${c.req.path}.`);
