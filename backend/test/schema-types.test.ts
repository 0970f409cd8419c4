import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { generateTableTypes, SCHEMA_FILE } from "../scripts/table-types.ts";
import { createTestDatabase } from "./support/test-services.ts";

// src/db/schema.ts is generated from the migrated database (pnpm db:types): this fails when a
// migration changed a table and the types were not regenerated, or the file was edited by hand.

let database: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  // A copy of the migrated template: a connection to the template itself would block other test
  // files from cloning it.
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

it("src/db/schema.ts is what kysely-codegen reads from the migrated database", async () => {
  const committed = await readFile(SCHEMA_FILE, "utf8");
  expect(committed, "run `pnpm db:types` and commit src/db/schema.ts").toBe(await generateTableTypes(database.url));
});
