import type { Hook } from "@hono/zod-openapi";
import { AppError } from "./app-error.ts";

/** Every request-schema failure becomes `400 validation_failed` with `details: [{path, message}]`. */
// biome-ignore lint/suspicious/noExplicitAny: applies to every route's schema
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (result.success) return;
  const details = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
  throw AppError.validation(details);
};
