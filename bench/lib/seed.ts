/** One bench user: a coach with a roster, signed in with a bearer token. */
export interface BenchUser {
  token: string;
  clientIds: string[];
  goalId: string;
  /** Next free appointment slot index (slots never overlap, so bookings never 409). */
  nextSlot: number;
}

export const CLIENTS_PER_COACH = 20;

/** Runs `task` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function call(baseUrl: string, method: string, path: string, body: unknown, headers: Record<string, string>) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${await res.text()}`);
  return res;
}

/**
 * Signs a coach up through the API from CF-Connecting-IP 10.x.y.z built from `ip` (sign-up is
 * limited to 5/hour per IP), and returns its user id and bearer token.
 */
export async function signUpCoach(baseUrl: string, origin: string, handle: string, name: string, ip: number) {
  const signUp = await call(
    baseUrl,
    "POST",
    "/api/auth/sign-up/email",
    { email: `${handle}@bench.example`, password: "bench-password-1234", name },
    { origin, "cf-connecting-ip": `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}` },
  );
  const token = signUp.headers.get("set-auth-token");
  if (!token) throw new Error("sign-up returned no set-auth-token header");
  const { user } = (await signUp.json()) as { user: { id: string } };
  return { token, userId: user.id };
}

/**
 * Builds the fixtures through the public API: `count` coaches (each signs up from its own
 * CF-Connecting-IP, since sign-up is limited to 5/hour per IP), each with 20 clients and one goal.
 */
export async function seedUsers(baseUrl: string, count: number, origin: string): Promise<BenchUser[]> {
  const run = Date.now().toString(36);
  return pool(
    Array.from({ length: count }, (_, i) => i),
    16,
    async (i) => {
      const { token } = await signUpCoach(baseUrl, origin, `coach-${run}-${i}`, `Coach ${i}`, i);
      const auth = { authorization: `Bearer ${token}` };
      const clientIds = await pool(
        Array.from({ length: CLIENTS_PER_COACH }, (_, c) => c),
        4,
        async (c) => {
          const res = await call(
            baseUrl,
            "POST",
            "/api/v1/clients",
            { name: `Client ${i}-${c}`, email: `c${c}@x.example` },
            auth,
          );
          return ((await res.json()) as { id: string }).id;
        },
      );
      const goal = await call(baseUrl, "POST", `/api/v1/clients/${clientIds[0]}/goals`, { title: "Run 10 km" }, auth);
      return { token, clientIds, goalId: ((await goal.json()) as { id: string }).id, nextSlot: 0 };
    },
  );
}
