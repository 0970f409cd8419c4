import type { Hook } from "@hono/zod-openapi";
import type { z } from "zod";
import { AppError } from "./app-error.ts";

/**
 * A message a person can act on. Zod's defaults ("Too small: expected string to have >=1
 * characters") end up next to form fields in the web app and in mobile apps, so the common cases
 * are phrased for people; anything else keeps zod's own wording.
 */
export function friendlyMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      // Issues carry no input unless asked to; zod's message says what was received.
      return issue.message.endsWith("received undefined") ? "Required." : `Expected ${issue.expected}.`;
    case "too_small":
      if (issue.origin === "string")
        return Number(issue.minimum) <= 1 ? "Required." : `Use at least ${issue.minimum} characters.`;
      if (issue.origin === "number") return `Must be at least ${issue.minimum}.`;
      return issue.message;
    case "too_big":
      if (issue.origin === "string") return `Use at most ${issue.maximum} characters.`;
      if (issue.origin === "number") return `Must be at most ${issue.maximum}.`;
      return issue.message;
    case "invalid_format":
      if (issue.format === "email") return "Enter a valid email address.";
      if (issue.format === "datetime")
        return "Use an ISO 8601 date and time with an offset, e.g. 2026-12-01T09:30:00Z.";
      if (issue.format === "date") return "Use a date like 2026-12-01.";
      if (issue.format === "uuid") return "Not a valid id.";
      return issue.message;
    case "invalid_value":
      return `Use one of: ${issue.values.map(String).join(", ")}.`;
    default:
      return issue.message;
  }
}

/** Every request-schema failure becomes `400 validation_failed` with `details: [{path, message}]`. */
// biome-ignore lint/suspicious/noExplicitAny: applies to every route's schema
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (result.success) return;
  const details = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: friendlyMessage(issue),
  }));
  throw AppError.validation(details);
};
