import type { ColumnType, Generated } from "kysely";

/**
 * Table types, kept in step with the migrations in ./migrations. Each feature adds its tables here
 * in the same change as its migration.
 */
export interface Database {
  user: UserTable;
  session: SessionTable;
  clients: ClientTable;
  invites: InviteTable;
  appointments: AppointmentTable;
  notes: NoteTable;
  goals: GoalTable;
  check_ins: CheckInTable;
  assets: AssetTable;
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

type Timestamps = {
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
};

export interface ClientTable extends Timestamps {
  id: Generated<string>;
  coach_id: string;
  name: string;
  email: string | null;
  status: Generated<"active" | "archived">;
  linked_user_id: string | null;
}

export interface InviteTable {
  id: Generated<string>;
  client_id: string;
  token_hash: string;
  expires_at: Date;
  accepted_at: Date | null;
  accepted_by: string | null;
  created_at: CreatedAt;
}

export type AppointmentStatus = "scheduled" | "completed" | "cancelled" | "no_show";

export interface AppointmentTable extends Timestamps {
  id: Generated<string>;
  coach_id: string;
  client_id: string;
  starts_at: ColumnType<Date, Date | string, Date | string>;
  duration_minutes: number;
  status: Generated<AppointmentStatus>;
  location: string | null;
}

export interface NoteTable extends Timestamps {
  id: Generated<string>;
  client_id: string;
  appointment_id: string | null;
  author_id: string | null;
  body: string;
  visibility: Generated<"private" | "shared">;
}

export interface GoalTable extends Timestamps {
  id: Generated<string>;
  client_id: string;
  title: string;
  target_date: ColumnType<string | null, string | null | undefined, string | null>;
  status: Generated<"active" | "achieved" | "dropped">;
}

export interface CheckInTable {
  id: Generated<string>;
  goal_id: string;
  progress: number;
  comment: string | null;
  author_id: string | null;
  created_at: CreatedAt;
}

export type AssetStatus = "pending" | "ready" | "failed";

export interface AssetTable extends Timestamps {
  id: Generated<string>;
  client_id: string;
  uploader_id: string | null;
  object_key: string;
  filename: string;
  content_type: string;
  // bigint: postgres.js returns int8 as a string (it may exceed 2^53); uploads stay far below that.
  size: ColumnType<string, number, never>;
  visibility: Generated<"private" | "shared">;
  status: Generated<AssetStatus>;
}
