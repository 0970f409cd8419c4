import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * Seconds a client should wait after a 503 before retrying. A Patroni failover takes up to ~30 s
 * and a switchover ~1 s; clients retry with backoff from here (docs/api.md).
 */
export const UNAVAILABLE_RETRY_AFTER_S = 2;

export interface ErrorDetail {
  path: string;
  message: string;
}

/** An error that maps to one response of the HTTP contract: `{error: {code, message, details?}}`. */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = "AppError";
  }

  static validation(details: ErrorDetail[], message = "The request is invalid."): AppError {
    return new AppError(400, "validation_failed", message, details);
  }

  static notFound(message = "Not found."): AppError {
    return new AppError(404, "not_found", message);
  }

  static unauthenticated(message = "Sign in to continue."): AppError {
    return new AppError(401, "unauthenticated", message);
  }

  static forbidden(message = "You are not allowed to do this."): AppError {
    return new AppError(403, "forbidden", message);
  }

  static serviceUnavailable(message = "A backing service is unavailable; try again shortly."): AppError {
    return new AppError(503, "service_unavailable", message);
  }
}

/** The body every error response carries. */
export function errorBody(code: string, message: string, details?: ErrorDetail[]) {
  return { error: details ? { code, message, details } : { code, message } };
}
