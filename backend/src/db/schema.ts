/**
 * Table types, kept in step with the migrations in ./migrations. Each feature adds its tables here
 * in the same change as its migration.
 */
// biome-ignore lint/complexity/noBannedTypes: grows with each feature's tables
export type Database = {};
