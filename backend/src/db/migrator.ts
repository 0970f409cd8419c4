import { promises as fs } from "node:fs";
import path from "node:path";
import type { Kysely } from "kysely";
import { FileMigrationProvider, type MigrationResultSet, Migrator } from "kysely/migration";

export const MIGRATIONS_DIR = path.join(import.meta.dirname, "migrations");

/**
 * Kysely's migrator takes a Postgres advisory lock around the whole run, so two nodes running
 * their release phase at once apply each migration exactly once.
 */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works on any schema
export function createMigrator(db: Kysely<any>, folder = MIGRATIONS_DIR): Migrator {
  return new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: folder }),
  });
}

/** Applies pending migrations and throws on the first failure. */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works on any schema
export async function migrateToLatest(db: Kysely<any>, folder?: string): Promise<MigrationResultSet> {
  const result = await createMigrator(db, folder).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error");
    const error = new Error(`migration ${failed?.migrationName ?? "?"} failed: ${String(result.error)}`);
    error.cause = result.error;
    throw error;
  }
  return result;
}
