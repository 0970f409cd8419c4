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

export type ErrorResponse = {
  description: string;
  content: { "application/json": { schema: typeof ErrorSchema } };
};

/** An error response of the contract's shape; `description` says when it is sent and its `code`. */
export function errorResponse(description: string): ErrorResponse {
  return { description, content: { "application/json": { schema: ErrorSchema } } };
}
