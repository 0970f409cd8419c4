import { createAuth } from "../auth/auth.ts";
import type { Deps } from "../deps.ts";

import { DEMO_CLIENT, DEMO_COACH } from "./demo-accounts.ts";

export { DEMO_CLIENT, DEMO_COACH };

const CLIENTS: [string, string][] = [
  ["Maya Patel", "maya.patel@example.com"],
  ["Liam O'Connor", "liam.oconnor@example.com"],
  ["Sofía García", "sofia.garcia@example.com"],
  ["Noah Williams", "noah.williams@example.com"],
  ["Aiko Tanaka", "aiko.tanaka@example.com"],
  ["Lucas Müller", "lucas.mueller@example.com"],
  ["Chloé Dubois", "chloe.dubois@example.com"],
  ["Ethan Brown", "ethan.brown@example.com"],
  ["Amara Okafor", "amara.okafor@example.com"],
  ["Mateo Rossi", "mateo.rossi@example.com"],
  ["Zoe Kim", "zoe.kim@example.com"],
  ["Oliver Smith", "oliver.smith@example.com"],
];

const GOALS = [
  "Run a 10k by spring",
  "Sleep 7+ hours on weeknights",
  "Ask for the promotion",
  "Meditate 10 minutes daily",
];
const NOTES: [string, "private" | "shared"][] = [
  ["Felt stuck on motivation this week; we traced it to unclear priorities.", "private"],
  ["Homework: write down three wins every evening before bed.", "shared"],
  ["Big progress on boundaries at work. Celebrate it!", "shared"],
  ["Watch for burnout signals: short sleep, skipped lunches.", "private"],
];

async function createUser(deps: Deps, user: { email: string; password: string; name: string }) {
  const ctx = await createAuth(deps).$context;
  const created = await ctx.internalAdapter.createUser(
    { email: user.email, name: user.name, emailVerified: true },
    { method: "admin" },
  );
  await ctx.internalAdapter.linkAccount({
    userId: created.id,
    providerId: "credential",
    accountId: created.id,
    password: await ctx.password.hash(user.password),
  });
  return created.id;
}

/** Working hours in the coach's week: weekdays, 9:00–17:00 UTC, on the hour. */
function slots(fromDay: number, count: number): Date[] {
  const result: Date[] = [];
  const today = new Date();
  today.setUTCHours(0, 0, 0, 0);
  for (let day = fromDay; result.length < count; day++) {
    const date = new Date(today.getTime() + day * 86_400_000);
    if (date.getUTCDay() === 0 || date.getUTCDay() === 6) continue;
    for (const hour of [9, 11, 14, 16]) {
      if (result.length < count) result.push(new Date(date.getTime() + hour * 3_600_000));
    }
  }
  return result;
}

/**
 * A demo coach with a realistic roster and calendar, and a demo client user linked to one roster
 * entry. Does nothing when the demo coach already exists.
 */
export async function seedDemo(deps: Deps): Promise<"seeded" | "exists"> {
  const { db } = deps;
  const existing = await db.selectFrom("user").select("id").where("email", "=", DEMO_COACH.email).executeTakeFirst();
  if (existing) return "exists";

  const coachId = await createUser(deps, DEMO_COACH);
  const clientUserId = await createUser(deps, DEMO_CLIENT);
  const clients = await db
    .insertInto("clients")
    .values(
      CLIENTS.map(([name, email], i) => ({
        coach_id: coachId,
        name,
        email,
        status: i === CLIENTS.length - 1 ? ("archived" as const) : ("active" as const),
        linked_user_id: i === 0 ? clientUserId : null,
        // Staggered, so the roster lists in a stable, readable order (newest first).
        created_at: new Date(Date.now() - (CLIENTS.length - i) * 86_400_000),
        updated_at: new Date(Date.now() - (CLIENTS.length - i) * 86_400_000),
      })),
    )
    .returning(["id", "name"])
    .execute();

  const active = clients.slice(0, -1);
  const upcoming = slots(0, 22);
  const past = slots(-21, 20).filter((d) => d < new Date());
  await db
    .insertInto("appointments")
    .values([
      ...upcoming.map((startsAt, i) => ({
        coach_id: coachId,
        client_id: (active[i % active.length] as { id: string }).id,
        starts_at: startsAt,
        duration_minutes: i % 3 === 0 ? 90 : 60,
        location: i % 2 === 0 ? "Video call" : "Studio, Room 2",
      })),
      ...past.map((startsAt, i) => ({
        coach_id: coachId,
        client_id: (active[i % active.length] as { id: string }).id,
        starts_at: startsAt,
        duration_minutes: 60,
        status: i % 7 === 0 ? ("no_show" as const) : ("completed" as const),
        location: "Video call",
      })),
    ])
    .execute();

  for (const [index, client] of active.entries()) {
    await db
      .insertInto("notes")
      .values(
        NOTES.slice(0, 2 + (index % 3)).map(([body, visibility]) => ({
          client_id: client.id,
          author_id: coachId,
          body,
          visibility,
        })),
      )
      .execute();
    const goal = await db
      .insertInto("goals")
      .values({
        client_id: client.id,
        title: GOALS[index % GOALS.length] as string,
        target_date: `${new Date().getUTCFullYear() + 1}-04-30`,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("check_ins")
      .values(
        [10, 25, 40, 55].slice(0, 1 + (index % 4)).map((progress, week) => ({
          goal_id: goal.id,
          progress,
          comment: week === 0 ? "Getting started" : "Steady progress",
          author_id: index === 0 ? clientUserId : coachId,
          created_at: new Date(Date.now() - (4 - week) * 7 * 86_400_000),
        })),
      )
      .execute();
  }
  return "seeded";
}
