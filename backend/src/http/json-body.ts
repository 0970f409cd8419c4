import type { MiddlewareHandler } from "hono";
import { AppError } from "./app-error.ts";
import type { AppBindings } from "./bindings.ts";
import { hasRequestBody, requestHeaders } from "./request-headers.ts";

/** The largest request body any /api route reads (request-body.ts answers 413 above it). */
export const JSON_BODY_LIMIT = 1024 * 1024;
/** How much of an over-limit or unread body is read and discarded so the client can read the answer. */
export const BODY_DRAIN_LIMIT = 64 * 1024 * 1024;

const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

/** A JSON API route given a body of another type answers 415 instead of guessing. */
export const requireJsonBody: MiddlewareHandler<AppBindings> = async (c, next) => {
  if (METHODS_WITH_BODY.has(c.req.method)) {
    const header = requestHeaders(c);
    const type = header("content-type") ?? "";
    if (hasRequestBody(header) && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
      throw new AppError(415, "unsupported_media_type", "Send the body as application/json.");
    }
  }
  await next();
};
