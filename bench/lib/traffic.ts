import type { Request } from "autocannon";
import type { BenchUser } from "./seed.ts";

/** `health` and the mixed day, `GET /api/v1/me` and `/clients`, `POST /api/v1/clients`. */
export const SCENARIOS = ["health", "mixed", "me", "clients", "create-client"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** GETs of one user (the scale coach): `paths` in turn, with its bearer token. */
export interface PathRotation {
  token: string;
  paths: string[];
}

const JSON_HEADERS = { "content-type": "application/json" };
const SLOT_ORIGIN = Date.parse("2031-01-05T08:00:00Z");
const SLOT_MS = 30 * 60_000;

/**
 * Round-robins requests over the users' tokens. Authenticated requests are limited to 600/min per
 * user, so the bench spreads load over a pool of users instead of disabling the limiter.
 */
export class Traffic {
  private turn = 0;
  readonly users: BenchUser[];

  // No parameter property: the load thread loads this file with Node's own type stripping when the
  // bench runs under vitest (scripts/test/bench-load.test.ts), which accepts only erasable syntax.
  constructor(users: BenchUser[]) {
    this.users = users;
  }

  nextUser(): BenchUser {
    const user = this.users[this.turn % this.users.length] as BenchUser;
    this.turn++;
    return user;
  }

  /** The requests of a named scenario, or GETs of a path rotation. */
  scenario(name: ScenarioName | PathRotation): () => Request {
    if (typeof name === "object") return this.rotation(name);
    switch (name) {
      case "health":
        return () => ({ method: "GET", path: "/health" });
      case "mixed":
        return this.mixed();
      case "create-client":
        return this.createClient();
      case "me":
      case "clients":
        return this.get(`/api/v1/${name}`);
    }
  }

  get(path: string): () => Request {
    return () => ({ method: "GET", path, headers: this.auth(this.nextUser()) });
  }

  rotation({ token, paths }: PathRotation): () => Request {
    let step = 0;
    const headers = { authorization: `Bearer ${token}` };
    return () => ({ method: "GET", path: paths[step++ % paths.length] as string, headers });
  }

  createClient(): () => Request {
    return () => this.post(this.nextUser(), "/api/v1/clients", { name: "Walk-in client" });
  }

  /** The day-in-the-life mix: 80 % reads across the domain, 20 % writes, in a fixed shuffled order. */
  mixed(): () => Request {
    const schedule = shuffled(
      (Object.entries(MIX) as [Operation, number][]).flatMap(([op, weight]) => Array<Operation>(weight).fill(op)),
    );
    let step = 0;
    return () => this.operation(schedule[step++ % schedule.length] as Operation, this.nextUser());
  }

  private operation(op: Operation, user: BenchUser): Request {
    const client = user.clientIds[(this.turn >> 3) % user.clientIds.length] as string;
    switch (op) {
      case "me":
        return { method: "GET", path: "/api/v1/me", headers: this.auth(user) };
      case "listClients":
        return { method: "GET", path: "/api/v1/clients", headers: this.auth(user) };
      case "listAppointments":
        return { method: "GET", path: "/api/v1/appointments", headers: this.auth(user) };
      case "listNotes":
        return { method: "GET", path: `/api/v1/clients/${client}/notes`, headers: this.auth(user) };
      case "listGoals":
        return { method: "GET", path: `/api/v1/clients/${user.clientIds[0]}/goals`, headers: this.auth(user) };
      case "addNote":
        return this.post(user, `/api/v1/clients/${client}/notes`, { body: "Session went well.", visibility: "shared" });
      case "bookAppointment": {
        const startsAt = new Date(SLOT_ORIGIN + user.nextSlot++ * SLOT_MS).toISOString();
        return this.post(user, "/api/v1/appointments", { clientId: client, startsAt, durationMinutes: 15 });
      }
      case "checkIn":
        return this.post(user, `/api/v1/goals/${user.goalId}/check-ins`, { progress: 40 });
      case "addClient":
        return this.post(user, "/api/v1/clients", { name: "New client" });
    }
  }

  private auth(user: BenchUser): Record<string, string> {
    return { authorization: `Bearer ${user.token}` };
  }

  private post(user: BenchUser, path: string, body: unknown): Request {
    return { method: "POST", path, headers: { ...JSON_HEADERS, ...this.auth(user) }, body: JSON.stringify(body) };
  }
}

/** Weights out of 100: reads 80, writes 20. */
export const MIX = {
  me: 15,
  listClients: 25,
  listAppointments: 15,
  listNotes: 15,
  listGoals: 10,
  addNote: 7,
  bookAppointment: 6,
  checkIn: 5,
  addClient: 2,
} as const;
type Operation = keyof typeof MIX;

function shuffled<T>(items: T[]): T[] {
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
