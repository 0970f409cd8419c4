import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Db } from "../src/db/database.ts";
import { createClient, listClients } from "../src/features/clients/client-queries.ts";
import { searchKind } from "../src/features/clients/client-search.ts";
import { createTestDatabase } from "./support/test-services.ts";

// What `GET /clients?q=` matches (docs/api.md § Lists): 3+ characters anywhere in the name or the
// email; 1–2 characters at the start of the name, of a word of it, or of the email.

let db: Db;
let close: () => Promise<void>;
let drop: () => Promise<void>;
const COACH = "search-coach";
const LINKED = "search-linked";

const roster: [name: string, email: string | null][] = [
  ["Anna Smith", "anna@example.test"],
  ["Cosmo Kramer", null],
  ["Joan Anders", "jo@smithy.test"],
  ["Ada Smi", "th@boundary.test"],
  ["Zoe 100% Real", "zoe_real@example.test"],
];

beforeAll(async () => {
  const database = await createTestDatabase();
  drop = database.drop;
  const created = createDatabase({ url: database.url, poolMax: 2, statementTimeoutMs: 5000 });
  db = created.db;
  close = () => created.sql.end();
  await sql`insert into "user" (id, name, email, "emailVerified", "createdAt", "updatedAt")
    values (${COACH}, 'Coach', 'c@x.test', true, now(), now()), (${LINKED}, 'Linked', 'l@x.test', true, now(), now())`.execute(
    db,
  );
  for (const [name, email] of roster) await createClient(db, COACH, { name, email });
  await sql`update clients set linked_user_id = ${LINKED} where name in ('Anna Smith', 'Joan Anders')`.execute(db);
});

afterAll(async () => {
  await close?.();
  await drop?.();
});

async function search(q: string, as: "coach" | "client" = "coach", userId = as === "coach" ? COACH : LINKED) {
  const page = await listClients(db, userId, { limit: 20, q, as });
  return page.items.map((item) => item.name).sort();
}

describe("roster search", () => {
  it("finds a term of three or more characters anywhere in the name or the email, in any case", async () => {
    expect(await search("smi")).toEqual(["Ada Smi", "Anna Smith", "Joan Anders"]);
    expect(await search("SMITH")).toEqual(["Anna Smith", "Joan Anders"]);
    expect(await search("osm")).toEqual(["Cosmo Kramer"]);
    expect(await search("example.test")).toEqual(["Anna Smith", "Zoe 100% Real"]);
  });

  it("tells short terms, terms and phrases apart (each is a statement of its own)", () => {
    expect(searchKind("sm")).toBe("prefix");
    expect(searchKind("é")).toBe("prefix");
    expect(searchKind("smi")).toBe("substring");
    expect(searchKind("smith@example.test")).toBe("substring");
    expect(searchKind("smi th")).toBe("phrase");
  });

  it("does not match a term that only spans the name and the email", async () => {
    // "Ada Smi" + "th@boundary.test": the index sees "Ada Smi th@boundary.test".
    expect(await search("smi th")).toEqual([]);
    expect(await search("Smi th@")).toEqual([]);
  });

  it("matches one or two characters at the start of the name, a word of it, or the email", async () => {
    expect(await search("sm")).toEqual(["Ada Smi", "Anna Smith"]);
    expect(await search("jo")).toEqual(["Joan Anders"]);
    expect(await search("an")).toEqual(["Anna Smith", "Joan Anders"]);
    expect(await search("th")).toEqual(["Ada Smi"]);
    expect(await search("k")).toEqual(["Cosmo Kramer"]);
    expect(await search("os")).toEqual([]);
  });

  it("takes %, _ and \\ literally", async () => {
    expect(await search("0%")).toEqual([]);
    expect(await search("100%")).toEqual(["Zoe 100% Real"]);
    expect(await search("1%l")).toEqual([]);
    expect(await search("e_r")).toEqual(["Zoe 100% Real"]);
    expect(await search("a_a")).toEqual([]);
    expect(await search("\\")).toEqual([]);
  });

  it("searches the entries a client user is linked to the same way", async () => {
    expect(await search("smi", "client")).toEqual(["Anna Smith", "Joan Anders"]);
    expect(await search("an", "client")).toEqual(["Anna Smith", "Joan Anders"]);
    expect(await search("osm", "client")).toEqual([]);
  });

  it("pages through the matches with the cursor", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listClients(db, COACH, { limit: 1, q: "smi", as: "coach", cursor });
      seen.push(...page.items.map((item) => item.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.sort()).toEqual(["Ada Smi", "Anna Smith", "Joan Anders"]);
  });
});
