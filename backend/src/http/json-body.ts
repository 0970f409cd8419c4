import type { MiddlewareHandler } from "hono";
import { AppError } from "./app-error.ts";
import type { AppBindings } from "./bindings.ts";

const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

/** A JSON API route given a body of another type answers 415 instead of guessing. */
export const requireJsonBody: MiddlewareHandler<AppBindings> = async (c, next) => {
  if (METHODS_WITH_BODY.has(c.req.method)) {
    const length = c.req.header("content-length");
    const hasBody = (length !== undefined && length !== "0") || c.req.header("transfer-encoding") !== undefined;
    const type = c.req.header("content-type") ?? "";
    if (hasBody && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
      throw new AppError(415, "unsupported_media_type", "Send the body as application/json.");
    }
  }
  await next();
};
