import type { LoadRequest } from "./load.ts";

/** The web app's origin, which better-auth requires on auth calls in the test environment. */
const ORIGIN = "http://localhost:5173";

let ipCounter = 0;
/**
 * A distinct client IP per request, as Cloudflare sends it (`CF-Connecting-IP`, trusted with
 * TRUST_PROXY=cloudflare), so the per-IP sign-up/sign-in limits never throttle the drill's load.
 * Only a header value: nothing is sent to these addresses.
 */
export function nextClientIp(): string {
  ipCounter += 1;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

const runId = Date.now().toString(36);
let emailCounter = 0;
export function nextEmail(prefix: string): string {
  emailCounter += 1;
  return `${prefix}-${runId}-${emailCounter}@drill.test`;
}

const PASSWORD = "drill-password-1234";

/** A sign-up request for a new user: the Postgres drill's acknowledged write. */
export function signUpRequest(prefix: string): LoadRequest {
  const email = nextEmail(prefix);
  return {
    method: "POST",
    path: "/api/auth/sign-up/email",
    headers: { "content-type": "application/json", origin: ORIGIN, "cf-connecting-ip": nextClientIp() },
    body: JSON.stringify({ email, password: PASSWORD, name: prefix }),
    tag: email,
  };
}

/** A signed-in user's request (`GET /api/v1/me` with a bearer token), cycling through the tokens. */
export function meRequests(tokens: string[]): () => LoadRequest {
  let i = 0;
  return () => {
    i += 1;
    return {
      method: "GET",
      path: "/api/v1/me",
      headers: { authorization: `Bearer ${tokens[i % tokens.length]}`, "cf-connecting-ip": nextClientIp() },
    };
  };
}

async function post(baseUrl: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: ORIGIN, "cf-connecting-ip": nextClientIp() },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
}

/** Signs up `count` users through the edge and returns their bearer tokens from sign-in. */
export async function signedInUsers(baseUrl: string, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const email = nextEmail("load");
    const signUp = await post(baseUrl, "/api/auth/sign-up/email", { email, password: PASSWORD, name: "load" });
    if (signUp.status !== 200) throw new Error(`sign-up ${email}: ${signUp.status} ${await signUp.text()}`);
    const signIn = await post(baseUrl, "/api/auth/sign-in/email", { email, password: PASSWORD });
    const token = signIn.headers.get("set-auth-token");
    if (signIn.status !== 200 || !token) throw new Error(`sign-in ${email}: ${signIn.status} ${await signIn.text()}`);
    tokens.push(token);
  }
  return tokens;
}
