import type { ColumnType, Generated } from "kysely";

/**
 * Table types, kept in step with the migrations in ./migrations. Each feature adds its tables here
 * in the same change as its migration.
 */
export interface Database {
  user: UserTable;
  session: SessionTable;
}

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

// better-auth's tables (0002_auth): camelCase columns are better-auth's naming.
export interface UserTable {
  id: string;
  name: string;
  email: string;
  emailVerified: boolean;
  image: string | null;
  role: Generated<"user" | "admin">;
  createdAt: CreatedAt;
  updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface SessionTable {
  id: string;
  token: string;
  userId: string;
  expiresAt: Date;
  ipAddress: string | null;
  userAgent: string | null;
  createdAt: CreatedAt;
  updatedAt: Date;
}
