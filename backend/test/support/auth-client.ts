/** A tiny HTTP client for tests: JSON in/out, a cookie jar, optional bearer token and client IP. */
export interface Session {
  cookie?: string;
  token?: string;
}

export const TEST_ORIGIN = "http://localhost:5173";

export function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; session?: Session; ip?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { origin: TEST_ORIGIN, ...options.headers };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.session?.cookie) headers.cookie = options.session.cookie;
  if (options.session?.token) headers.authorization = `Bearer ${options.session.token}`;
  if (options.ip) headers["cf-connecting-ip"] = options.ip;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response fields
  return { status: response.status, json: json as Record<string, any> | undefined, response };
}

let counter = 0;
/** A unique email and a valid password. */
export function newCredentials(prefix = "user") {
  counter += 1;
  return {
    email: `${prefix}-${Date.now()}-${counter}@example.test`,
    password: `pw-${crypto.randomUUID()}`,
    name: `${prefix} ${counter}`,
  };
}

/** Signs up and returns a cookie session and a bearer token for the new user. */
export async function signUp(baseUrl: string, credentials = newCredentials(), ip?: string) {
  const signUp = await call(baseUrl, "POST", "/api/auth/sign-up/email", { body: credentials, ip });
  if (signUp.status !== 200) throw new Error(`sign-up failed: ${signUp.status} ${JSON.stringify(signUp.json)}`);
  return {
    ...credentials,
    id: String(signUp.json?.user?.id),
    session: {
      cookie: cookieHeader(signUp.response),
      token: signUp.response.headers.get("set-auth-token") ?? undefined,
    },
  };
}

export async function signIn(baseUrl: string, email: string, password: string, ip?: string) {
  const result = await call(baseUrl, "POST", "/api/auth/sign-in/email", { body: { email, password }, ip });
  return {
    ...result,
    session: {
      cookie: cookieHeader(result.response),
      token: result.response.headers.get("set-auth-token") ?? undefined,
    },
  };
}
