import { ensureAdmin } from "../../src/auth/ensure-admin.ts";
import { call, newCredentials, type Session, signIn, signUp } from "./auth-client.ts";
import type { TestApp } from "./test-app.ts";

let ipCounter = 0;
/** A distinct client IP per sign-up/sign-in (apps run with TRUST_PROXY=cloudflare in these tests). */
export const nextIp = () => `198.51.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;

export interface Actor {
  id: string;
  email: string;
  session: Session;
}

export async function newUser(api: TestApp, prefix = "user"): Promise<Actor> {
  const user = await signUp(api.url, newCredentials(prefix), nextIp());
  return { id: user.id, email: user.email, session: { token: user.session.token } };
}

export async function newAdmin(api: TestApp): Promise<Actor> {
  const admin = { email: `admin-${crypto.randomUUID()}@example.test`, password: "admin-password-12345" };
  await ensureAdmin(api.deps, admin);
  const signedIn = await signIn(api.url, admin.email, admin.password, nextIp());
  return { id: String(signedIn.json?.user?.id), email: admin.email, session: { token: signedIn.session.token } };
}

/** JSON request as an actor; throws with the body when the status is not the expected one. */
export async function as(actor: Actor | undefined, api: TestApp, method: string, path: string, body?: unknown) {
  return call(api.url, method, path, { session: actor?.session, body });
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response fields
export async function expectOk<T = Record<string, any>>(promise: ReturnType<typeof call>, status = 200): Promise<T> {
  const result = await promise;
  if (result.status !== status) {
    throw new Error(`expected ${status}, got ${result.status}: ${JSON.stringify(result.json)}`);
  }
  return result.json as T;
}

let slotCounter = 0;
/** Two-hour steps from tomorrow on: worlds of one coach never double-book each other. */
const nextFreeSlot = () => new Date(Date.UTC(2030, 0, 1, 0) + ++slotCounter * 2 * 3_600_000).toISOString();

/**
 * A coach with one client linked to a client user, and one of everything on it: an appointment, a
 * private and a shared note, a goal with a check-in, and an unused invite.
 */
export async function coachingWorld(api: TestApp, people?: { coach: Actor; clientUser: Actor }) {
  const coach = people?.coach ?? (await newUser(api, "coach"));
  const clientUser = people?.clientUser ?? (await newUser(api, "client"));
  const client = await expectOk(
    as(coach, api, "POST", "/api/v1/clients", {
      name: "Ada Lovelace",
      email: `ada-${crypto.randomUUID()}@example.test`,
    }),
    201,
  );
  const invite = await expectOk(as(coach, api, "POST", `/api/v1/clients/${client.id}/invites`), 201);
  await expectOk(as(clientUser, api, "POST", `/api/v1/invites/${invite.token}/accept`));
  const spareInvite = await expectOk(as(coach, api, "POST", `/api/v1/clients/${client.id}/invites`), 201);
  const appointment = await expectOk(
    as(coach, api, "POST", "/api/v1/appointments", {
      clientId: client.id,
      startsAt: nextFreeSlot(),
      durationMinutes: 60,
      location: "Studio",
    }),
    201,
  );
  const privateNote = await expectOk(
    as(coach, api, "POST", `/api/v1/clients/${client.id}/notes`, { body: "Private thoughts" }),
    201,
  );
  const sharedNote = await expectOk(
    as(coach, api, "POST", `/api/v1/clients/${client.id}/notes`, { body: "Homework: breathe", visibility: "shared" }),
    201,
  );
  const goal = await expectOk(as(coach, api, "POST", `/api/v1/clients/${client.id}/goals`, { title: "Run 5k" }), 201);
  const checkIn = await expectOk(
    as(clientUser, api, "POST", `/api/v1/goals/${goal.id}/check-ins`, { progress: 30 }),
    201,
  );
  return { coach, clientUser, client, appointment, privateNote, sharedNote, goal, checkIn, spareInvite };
}
