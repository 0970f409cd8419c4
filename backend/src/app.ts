import { OpenAPIHono } from "@hono/zod-openapi";
import { cors } from "hono/cors";
import {
  authKeyPrefix,
  createAuth,
  SESSION_ABSOLUTE_S,
  SESSION_EXPIRES_IN_S,
  SESSION_UPDATE_AGE_S,
  sessionCookieName,
} from "./auth/auth.ts";
import { createAuthDatabase } from "./auth/auth-database-errors.ts";
import { createCachedSessionReader } from "./auth/cached-session-reader.ts";
import { createSessionCacheEpoch } from "./auth/session-cache-epoch.ts";
import type { Deps } from "./deps.ts";
import { adminRoutes } from "./features/admin/admin-routes.ts";
import { appointmentRoutes } from "./features/appointments/appointment-routes.ts";
import { assetRoutes } from "./features/assets/asset-routes.ts";
import { authRoutes } from "./features/auth/auth-routes.ts";
import { clientRoutes } from "./features/clients/client-routes.ts";
import { mountApiDocs } from "./features/docs/docs-routes.ts";
import { goalRoutes } from "./features/goals/goal-routes.ts";
import { healthRoutes, readinessRoutes } from "./features/health/health-routes.ts";
import { inviteRoutes } from "./features/invites/invite-routes.ts";
import { meRoutes } from "./features/me/me-routes.ts";
import { noteRoutes } from "./features/notes/note-routes.ts";
import { API_PREFIX, PUBLIC_PREFIX } from "./http/api-route.ts";
import type { AppBindings } from "./http/bindings.ts";
import { clientIp } from "./http/client-ip.ts";
import { crossSiteGuard } from "./http/cross-site-guard.ts";
import { createErrorHandler, notFoundHandler } from "./http/error-handler.ts";
import { BODY_DRAIN_LIMIT, JSON_BODY_LIMIT, requireJsonBody } from "./http/json-body.ts";
import { limitByIp } from "./http/limit-by-ip.ts";
import { noStore } from "./http/no-store.ts";
import { createRateLimiters, LIMITS, limiterKeyPrefix, type RateLimiters } from "./http/rate-limit.ts";
import { requestBody } from "./http/request-body.ts";
import { hasRequestBody, requestHeaders } from "./http/request-headers.ts";
import { requestLog } from "./http/request-log.ts";
import { requireSession } from "./http/require-session.ts";
import { createResponseHeaders, responseHeaders } from "./http/response-headers.ts";
import { createRouter } from "./http/router.ts";
import { validationHook } from "./http/validation.ts";

const EXPOSED_HEADERS = ["set-auth-token", "x-request-id", "retry-after"];

/** Builds the HTTP app from its dependencies. Does no I/O, so tests can build as many as they like. */
export function createApp(deps: Deps) {
  const { config, logger } = deps;
  const authDatabase = createAuthDatabase(deps.sql);
  const cacheEpoch = deps.redis && createSessionCacheEpoch(deps.redis, authKeyPrefix(config.redisKeyPrefix), logger);
  const auth = createAuth({ ...deps, db: authDatabase.db }, cacheEpoch || undefined);
  const limiters = createRateLimiters(deps.redis, config.redisKeyPrefix);
  const app = new OpenAPIHono<AppBindings>({ defaultHook: validationHook });

  const buildHeaders = createResponseHeaders({
    corsOrigins: config.corsOrigins,
    hsts: config.isProductionLike,
    exposeHeaders: EXPOSED_HEADERS,
  });
  app.route("/", healthRoutes(deps, buildHeaders));
  app.use(responseHeaders(buildHeaders));
  // Preflights only: simple requests get their CORS headers from responseHeaders.
  app.on(
    "OPTIONS",
    "*",
    cors({
      origin: config.corsOrigins,
      credentials: true,
      allowMethods: ["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"],
      allowHeaders: ["Content-Type", "Authorization", "X-Request-Id"],
      exposeHeaders: EXPOSED_HEADERS,
      maxAge: 600,
    }),
  );
  app.use(async (c, next) => {
    c.set("deps", deps);
    await next();
  });
  app.use(requestLog(logger));

  app.route("/", readinessRoutes());

  const limitBody = requestBody({ limit: JSON_BODY_LIMIT, drainLimit: BODY_DRAIN_LIMIT });
  // Reading `c.req.raw.body` makes the Node adapter build a full Request even for a GET: only
  // requests that carry a body go through it.
  app.use("/api/*", (c, next) => (hasRequestBody(requestHeaders(c)) ? limitBody(c, next) : next()));
  app.use("/api/*", clientIp(config.trustProxy), requireJsonBody, noStore);
  app.route("/", authRoutes(auth, authDatabase, limiters, config.corsOrigins));

  const readCachedSession =
    deps.redis &&
    cacheEpoch &&
    createCachedSessionReader({
      redis: deps.redis,
      epoch: cacheEpoch,
      keyPrefix: authKeyPrefix(config.redisKeyPrefix),
      secret: config.authSecret,
      cookieName: sessionCookieName(config.isProductionLike),
      expiresInSeconds: SESSION_EXPIRES_IN_S,
      updateAgeSeconds: SESSION_UPDATE_AGE_S,
      absoluteLifetimeSeconds: SESSION_ABSOLUTE_S,
      limit: {
        keyPrefix: limiterKeyPrefix(config.redisKeyPrefix, "apiPerUser"),
        points: LIMITS.apiPerUser.points,
        durationSeconds: LIMITS.apiPerUser.durationSeconds,
      },
    });
  app.use(
    `${API_PREFIX}*`,
    crossSiteGuard(config.corsOrigins, sessionCookieName(config.isProductionLike)),
    requireSession(auth, limiters, readCachedSession),
  );
  // No session under PUBLIC_PREFIX: nothing to count per user, so each client IP is counted.
  app.use(`${PUBLIC_PREFIX}*`, limitByIp(limiters, "publicPerIp"));
  app.route("/", apiRoutes(limiters));
  mountApiDocs(app, config.authUrl, { docs: config.docsEnabled });

  app.notFound(notFoundHandler);
  app.onError(createErrorHandler(logger));
  return app;
}

/**
 * Every `/api/v1` route (apiRoute) and, once there are some, every `/api/public` route
 * (publicRoute), chained so their types add up to AppType for `hc<AppType>`.
 */
function apiRoutes(limiters: RateLimiters) {
  return createRouter()
    .route("/", meRoutes())
    .route("/", clientRoutes())
    .route("/", inviteRoutes())
    .route("/", appointmentRoutes())
    .route("/", noteRoutes())
    .route("/", goalRoutes())
    .route("/", assetRoutes(limiters))
    .route("/", adminRoutes());
}

export type App = ReturnType<typeof createApp>;
/** The typed API for `hc<AppType>(baseUrl)` in the web app, mobile-style clients and tests. */
export type AppType = ReturnType<typeof apiRoutes>;
