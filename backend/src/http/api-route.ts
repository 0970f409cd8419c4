import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import { LIMITS } from "./rate-limit.ts";
import { describeLimit, type StandardResponses, standardResponses } from "./standard-responses.ts";

/** Every route under this prefix needs a session: app.ts mounts requireSession on it. */
export const API_PREFIX = "/api/v1/";
/**
 * Routes that need no session (a calendar feed addressed by a secret token, a public booking
 * link) live here, outside API_PREFIX, so no exception in requireSession can widen by mistake;
 * app.ts limits them per client IP instead (docs/decisions/009-route-helper-and-public-prefix.md).
 */
export const PUBLIC_PREFIX = "/api/public/";

/** Either credential opens a session: the web app's cookie or a mobile app's bearer token. */
export const SESSION_SECURITY: { [scheme: string]: string[] }[] = [{ cookie: [] }, { bearer: [] }];

// Swift and Kotlin generators name methods after operationId: ListClients → listClients().
const OPERATION_ID = /^[A-Z][A-Za-z]+$/;

type RouteInput = Omit<RouteConfig, "security" | "operationId" | "summary"> & {
  /** Stripe-style PascalCase verb and noun: ListClients, CreateAppointment, GetMe. */
  operationId: string;
  summary: string;
};

/** One flat object type: A's keys, each overridden by B's where B has it. */
type Override<A, B> = { [K in keyof A | keyof B]: K extends keyof B ? B[K] : K extends keyof A ? A[K] : never };

/** The route with the standard statuses added; a status the route declares itself wins. */
type WithStandard<R extends RouteInput, Session extends boolean> = Override<
  R,
  {
    security: { [scheme: string]: string[] }[];
    responses: Override<StandardResponses<R["method"], R["request"], Session>, R["responses"]>;
  }
>;

function define(config: RouteInput, prefix: string, session: boolean) {
  const { operationId, path } = config;
  if (!path.startsWith(prefix)) throw new Error(`${operationId}: ${path} must start with ${prefix}`);
  if (!OPERATION_ID.test(operationId)) throw new Error(`${operationId}: operationId must be PascalCase`);
  const limit = session
    ? `${describeLimit(LIMITS.apiPerUser)} per user`
    : `${describeLimit(LIMITS.publicPerIp)} per client IP`;
  return createRoute({
    ...config,
    security: session ? SESSION_SECURITY : [],
    responses: {
      ...standardResponses({ method: config.method, request: config.request, session, limit }),
      ...config.responses,
    },
  });
}

/**
 * A route under /api/v1 (behind requireSession). Declares 401, 429 and 503, plus 400 when it has a
 * param, query or body and 413/415 when its method takes a body; the route declares the rest
 * (403, 404, 409…) with a description of when.
 */
export function apiRoute<P extends string, R extends RouteInput & { path: P }>(config: R): WithStandard<R, true> {
  return define(config, API_PREFIX, true) as unknown as WithStandard<R, true>;
}

/** A route under /api/public: no session (`security: []`, no 401), limited per client IP. */
export function publicRoute<P extends string, R extends RouteInput & { path: P }>(config: R): WithStandard<R, false> {
  return define(config, PUBLIC_PREFIX, false) as unknown as WithStandard<R, false>;
}
