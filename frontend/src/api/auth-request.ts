import { fetchOrThrow, toApiError } from "./api-error.ts";
import { API_URL } from "./api-url.ts";

type AuthPath = `/api/auth/${string}`;

/**
 * A call to better-auth's handler, the only routes `AppType` does not describe: the API mounts
 * `/api/auth/*` outside its typed `/api/v1` chain, so hono's `parseResponse` (which needs the typed
 * client's responses) cannot read these and `unwrap` is not used. The API rewrites better-auth's
 * errors into the contract's shape, so they become the same ApiErrors. The answer is untyped JSON.
 */
export async function authRequest(method: "GET" | "POST", path: AuthPath, body: object = {}): Promise<unknown> {
  // better-auth wants a JSON body on every POST, sign-out included.
  const payload =
    method === "POST" ? { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) } : {};
  const response = await fetchOrThrow(new URL(path, API_URL), { method, credentials: "include", ...payload });
  const answer: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw toApiError(response.status, answer);
  return answer;
}
