import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { EMAIL_MAX, IMAGE_MAX, NAME_MAX, PASSWORD_MAX, PASSWORD_MIN } from "../../auth/auth.ts";
import { SESSION_SECURITY } from "../../http/api-route.ts";
import { errorResponse } from "../../http/error-schema.ts";
import { LIMITS } from "../../http/rate-limit.ts";
import { describeLimit, standardResponses } from "../../http/standard-responses.ts";
import { MeSchema } from "../me/me-routes.ts";

type OpenAPIRegistry = OpenAPIHono["openAPIRegistry"];

const Credentials = z.object({ email: z.email().max(EMAIL_MAX), password: z.string().min(1).max(PASSWORD_MAX) });
const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });
// No `token`: the API removes raw session tokens from every answer (features/auth/auth-input.ts).
const SessionResponse = z.object({ user: MeSchema.partial({ role: true }) });
const untrustedOrigin = errorResponse("The `Origin` is not one of CORS_ORIGIN; mobile apps send none (`forbidden`)");

/** 400/413/415/429/503 as for any JSON POST without a session; `limit` words the 429. */
const postResponses = (body: z.ZodType, limit: string) =>
  standardResponses({ method: "post", request: { body: { content: json(body) } }, session: false, limit });

/**
 * better-auth serves /api/auth/* itself; these entries describe the four endpoints clients use, so
 * generated mobile clients can sign up, sign in and out. The statuses are those our wrapper
 * (features/auth/auth-routes.ts) answers: better-auth's errors rewritten into the contract's shape.
 */
export function registerAuthPaths(registry: OpenAPIRegistry) {
  const tags = ["Auth"];
  const SignUp = Credentials.extend({
    password: z.string().min(PASSWORD_MIN).max(PASSWORD_MAX),
    name: z.string().min(1).max(NAME_MAX),
    image: z.url().max(IMAGE_MAX).optional(),
  });
  registry.registerPath({
    method: "post",
    path: "/api/auth/sign-up/email",
    operationId: "SignUpWithEmail",
    summary: "Create an account and sign in",
    tags,
    security: [],
    request: { body: { content: json(SignUp) } },
    responses: {
      ...postResponses(SignUp, `${describeLimit(LIMITS.signUpPerIp)} per client IP`),
      200: { description: "Signed up and signed in", content: json(SessionResponse) },
      403: untrustedOrigin,
      409: errorResponse("An account with this email exists (`conflict`)"),
    },
  });
  registry.registerPath({
    method: "post",
    path: "/api/auth/sign-in/email",
    operationId: "SignInWithEmail",
    summary: "Sign in: a session cookie, and a bearer token for mobile apps",
    tags,
    security: [],
    request: { body: { content: json(Credentials) } },
    responses: {
      ...postResponses(
        Credentials,
        `${describeLimit(LIMITS.signInPerIpEmail)} per client IP and email, or ${describeLimit(LIMITS.signInPerIp)} per client IP`,
      ),
      200: {
        description: "Signed in: a session cookie, and the bearer token in the `set-auth-token` header",
        headers: { "set-auth-token": { schema: { type: "string" }, description: "Bearer token for mobile apps" } },
        content: json(SessionResponse),
      },
      401: errorResponse("Wrong email or password (`unauthenticated`)"),
      403: untrustedOrigin,
    },
  });
  const Empty = z.object({});
  registry.registerPath({
    method: "post",
    path: "/api/auth/sign-out",
    operationId: "SignOut",
    summary: "End the session on every replica",
    tags,
    security: SESSION_SECURITY,
    request: { body: { content: json(Empty) } },
    responses: {
      ...postResponses(Empty, `${describeLimit(LIMITS.authOtherPerIp)} per client IP`),
      200: {
        description: "Signed out (also when there was no session)",
        content: json(z.object({ success: z.boolean() })),
      },
      403: untrustedOrigin,
    },
  });
  registry.registerPath({
    method: "get",
    path: "/api/auth/get-session",
    operationId: "GetSession",
    summary: "Get the current session, or null without one",
    tags,
    // The session is optional: without one the answer is 200 `null`, never 401.
    security: [...SESSION_SECURITY, {}],
    responses: {
      200: { description: "The current session and user, or null", content: json(z.unknown()) },
      503: errorResponse("The database is unreachable; retry shortly (`service_unavailable`)"),
    },
  });
}
