import { z } from "@hono/zod-openapi";

/** The contract's error body, for OpenAPI responses. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "not_found" }),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi("Error");

const json = { "application/json": { schema: ErrorSchema } };

/** Error responses shared by every authenticated route. */
export const errorResponses = {
  400: { description: "Invalid request (`validation_failed`)", content: json },
  401: { description: "No valid session (`unauthenticated`)", content: json },
  404: { description: "Missing or not yours (`not_found`)", content: json },
  429: { description: "Too many requests (`rate_limited`)", content: json },
  503: { description: "A backing service is unavailable (`service_unavailable`)", content: json },
};

export const forbiddenResponse = { 403: { description: "Not allowed (`forbidden`)", content: json } };
