import { hc } from "hono/client";
import { fetchOrThrow } from "./api-error.ts";
import { API_URL } from "./api-url.ts";
import type { ApiType } from "./app-type.ts";

/** Typed API client: cookies ride along (`credentials: "include"`), the API is on another origin. */
export const api = hc<ApiType>(API_URL, {
  fetch: fetchOrThrow,
  init: { credentials: "include" },
});
