import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import type postgres from "postgres";

/** A Postgres identifier we accept for the application role: nothing that needs quoting. */
const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A SCRAM-SHA-256 verifier (RFC 5802/7677, as Postgres stores it in pg_authid), computed here so
 * that the password itself never reaches the server, its logs or pg_stat_statements.
 */
export function scramVerifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password.normalize("NFKC"), salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/**
 * SQL that creates (or updates) the login role the API connects as: it may read and write every
 * table of the schema, and nothing else — no CREATE, ALTER, DROP or TRUNCATE, no other schema.
 * Default privileges give it the same on tables and sequences the running role creates later, so a
 * migration needs no grant of its own: run it as the tables' owner (the migrations' role), which
 * also needs CREATEROLE. Idempotent. It holds a SCRAM verifier, never the password, so it can be
 * printed and run elsewhere (`dokku postgres:connect … < file`).
 */
export function appRoleSql(role: string, password: string): string {
  if (!ROLE_NAME.test(role)) throw new Error(`role name '${role}': lower-case letters, digits and _ only`);
  if (password.length < 16) throw new Error("the application role's password must be at least 16 characters");
  const verifier = scramVerifier(password);
  // Base64 and digits: nothing to escape in the literal.
  if (!/^[A-Za-z0-9+/=:$-]+$/.test(verifier)) throw new Error("unexpected characters in the SCRAM verifier");
  // CREATE ROLE's defaults are NOSUPERUSER NOCREATEDB NOCREATEROLE; naming them would need the
  // owner to hold them (Postgres 16+). ALTER only sets what may change: the password.
  return `do $$
begin
  if exists (select 1 from pg_roles where rolname = '${role}') then
    alter role ${role} login password '${verifier}';
  else
    create role ${role} login noinherit password '${verifier}';
  end if;
  execute format('grant connect on database %I to ${role}', current_database());
end
$$;
grant usage on schema public to ${role};
grant select, insert, update, delete on all tables in schema public to ${role};
grant usage, select, update on all sequences in schema public to ${role};
alter default privileges in schema public grant select, insert, update, delete on tables to ${role};
alter default privileges in schema public grant usage, select, update on sequences to ${role};
-- Postgres 15 no longer lets PUBLIC create in schema public; older servers did.
revoke create on schema public from public;
`;
}

/** Runs appRoleSql as the connection's role (the tables' owner), in one transaction. */
export async function ensureAppRole(sql: postgres.Sql, role: string, password: string): Promise<void> {
  const script = appRoleSql(role, password);
  // Several statements: the simple protocol (an extended-protocol Parse takes one).
  await sql.begin((tx) => tx.unsafe(script).simple());
}
