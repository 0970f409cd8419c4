import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";

type OpenAPIRegistry = OpenAPIHono["openAPIRegistry"];

import { MeSchema } from "../me/me-routes.ts";

const Credentials = z.object({ email: z.email(), password: z.string().min(10).max(128) });
const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });
const SessionResponse = z.object({ token: z.string().nullable().optional(), user: MeSchema.partial({ role: true }) });
const error = {
  description: "Error in the contract's shape",
  content: json(z.object({ error: z.object({ code: z.string(), message: z.string() }) })),
};

/**
 * better-auth serves /api/auth/* itself; these entries describe the four endpoints clients use, so
 * generated mobile clients can sign in.
 */
export function registerAuthPaths(registry: OpenAPIRegistry) {
  const tags = ["Auth"];
  registry.registerPath({
    method: "post",
    path: "/api/auth/sign-up/email",
    tags,
    security: [],
    request: { body: { content: json(Credentials.extend({ name: z.string().min(1) })) } },
    responses: {
      200: { description: "Signed up and signed in", content: json(SessionResponse) },
      400: error,
      409: error,
      429: error,
    },
  });
  registry.registerPath({
    method: "post",
    path: "/api/auth/sign-in/email",
    tags,
    security: [],
    request: { body: { content: json(Credentials) } },
    responses: {
      200: {
        description: "Signed in: a session cookie, and the bearer token in the `set-auth-token` header",
        headers: { "set-auth-token": { schema: { type: "string" }, description: "Bearer token for mobile apps" } },
        content: json(SessionResponse),
      },
      401: error,
      403: error,
      429: error,
    },
  });
  registry.registerPath({
    method: "post",
    path: "/api/auth/sign-out",
    tags,
    request: { body: { content: json(z.object({})) } },
    responses: {
      200: { description: "Signed out on every replica", content: json(z.object({ success: z.boolean() })) },
    },
  });
  registry.registerPath({
    method: "get",
    path: "/api/auth/get-session",
    tags,
    responses: { 200: { description: "The current session, or null", content: json(z.unknown()) } },
  });
}
