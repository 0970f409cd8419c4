import type { RouteConfig } from "@hono/zod-openapi";
import { type ErrorResponse, errorResponse } from "./error-schema.ts";
import { JSON_BODY_LIMIT } from "./json-body.ts";
import type { LimitRule } from "./rate-limit.ts";

type Method = RouteConfig["method"];
type Request = RouteConfig["request"];

/** What decides which statuses a route can give before or around its handler. */
export interface RouteShape {
  method: Method;
  request?: Request;
  /** Behind requireSession: 401 without a valid session. */
  session: boolean;
  /** The rate limit that applies, for the 429 description: "600 requests a minute per user". */
  limit: string;
}

type RateLimitedResponse = ErrorResponse & {
  headers: { "Retry-After": { description: string; schema: { type: "integer" } } };
};

type HasInput<Q> = Q extends { params: object } | { query: object } | { body: object } ? true : false;

/** The statuses standardResponses adds, as types: hc<AppType> sees them in each route's responses. */
export type StandardResponses<M, Q, Session extends boolean> = {
  429: RateLimitedResponse;
  503: ErrorResponse;
} & (Session extends true ? { 401: ErrorResponse } : unknown) &
  (HasInput<Q> extends true ? { 400: ErrorResponse } : unknown) &
  (M extends "post" | "put" | "patch" ? { 413: ErrorResponse; 415: ErrorResponse } : unknown);

/** "600 requests a minute" — for the description of a 429. */
export function describeLimit({ points, durationSeconds }: LimitRule): string {
  const per = { 60: "a minute", 3600: "an hour" }[durationSeconds] ?? `per ${durationSeconds} s`;
  return `${points} requests ${per}`;
}

const BODY_METHODS: ReadonlySet<Method> = new Set(["post", "put", "patch"]);

function hasInput(request: Request | undefined): boolean {
  return Boolean(request?.params || request?.query || request?.body);
}

/**
 * The statuses a route gives whatever its handler does, answered by the middleware in front of it:
 * 400 when it validates a path parameter, query or body; 401 behind requireSession; 413 and 415
 * for a method with a body (bodyLimit, requireJsonBody); 429 (every route is rate limited); 503
 * (Postgres or file storage unreachable).
 */
export function standardResponses(shape: RouteShape): Record<number, ErrorResponse> {
  const responses: Record<number, ErrorResponse> = {};
  if (hasInput(shape.request)) {
    responses[400] = errorResponse(
      "A path parameter, query parameter or body field is invalid (`validation_failed`); `details` names each one",
    );
  }
  if (shape.session) {
    responses[401] = errorResponse("No valid session cookie or bearer token (`unauthenticated`)");
  }
  if (BODY_METHODS.has(shape.method)) {
    responses[413] = errorResponse(`The body is larger than ${JSON_BODY_LIMIT / 1024} KiB (\`payload_too_large\`)`);
    responses[415] = errorResponse("A body not sent as `application/json` (`unsupported_media_type`)");
  }
  const rateLimited: RateLimitedResponse = {
    ...errorResponse(`Over ${shape.limit} (\`rate_limited\`)`),
    headers: { "Retry-After": { description: "Seconds until a retry can succeed", schema: { type: "integer" } } },
  };
  responses[429] = rateLimited;
  responses[503] = errorResponse("The database or file storage is unreachable; retry shortly (`service_unavailable`)");
  return responses;
}
