import { fetchOrThrow, toApiError } from "./api-error.ts";
import { API_URL } from "./api-url.ts";

type Query = Record<string, string | number | undefined | null>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

/**
 * JSON request for routes that `AppType` does not describe (better-auth's handler, and domain routes
 * until they land in the backend). Same cookies and error handling as the typed client.
 */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const url = new URL(path, API_URL);
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, String(value));
  }
  // better-auth wants a JSON body on every POST (sign-out included), so body-carrying methods always send one.
  const sendsBody = method === "POST" || method === "PATCH" || method === "PUT";
  const response = await fetchOrThrow(url, {
    method,
    credentials: "include",
    headers: sendsBody ? { "Content-Type": "application/json" } : {},
    body: sendsBody ? JSON.stringify(options.body ?? {}) : undefined,
    signal: options.signal,
  });
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}
