import postgres from "postgres";
import { resetLimitsContinuously } from "./limiter-reset.ts";
import type { LoadResult } from "./load.ts";
import type { LoadGenerator } from "./load-generator.ts";
import type { Row } from "./report.ts";
import { SCALE, seedScale } from "./scale-seed.ts";
import { signUpCoach } from "./seed.ts";

/** How deep the deep page is, in rows of the scale coach's roster (newest first). */
export const SCALE_DEPTH = 150_000;
const LIMITER_RESET_MS = 100;

export interface ScaleResults {
  firstPage: LoadResult;
  deepPage: LoadResult;
  search: LoadResult;
  searchTerms: string[];
}

export function scaleRows(scale: ScaleResults): Row[] {
  const row = (name: string, { rps, p50, p95, p99, statuses, failures }: LoadResult): Row => ({
    name,
    rps,
    p50,
    p95,
    p99,
    statuses,
    failures,
  });
  return [
    row("200k roster: GET /api/v1/clients, first page", scale.firstPage),
    row(`200k roster: page at depth ${SCALE_DEPTH / 1000}k`, scale.deepPage),
    row("200k roster: ?q= surname (~25 matches)", scale.search),
  ];
}

export function scaleP99(scale: ScaleResults) {
  return { firstPage: scale.firstPage.p99, deepPage: scale.deepPage.p99, search: scale.search.p99 };
}

interface ScaleContext {
  baseUrl: string;
  origin: string;
  appDbUrl: string;
  redisUrl: string;
  loadGenerator: LoadGenerator;
  connections: number;
  warmupS: number;
  durationS: number;
  log: (line: string) => void;
}

/**
 * One coach with a roster of 200,000 (and 1,000,000 rows of other coaches): `GET /api/v1/clients`'s
 * first page, pages at depth 150,000, and `?q=` searches for a surname (~25 matches), all as that
 * coach. The depth and the search must cost no more than the first page (budgets.ts).
 */
export async function runScaleScenario(ctx: ScaleContext): Promise<ScaleResults> {
  const { token, cursors, searchTerms } = await prepareScale(ctx);
  const load = async (name: string, paths: string[]) => {
    ctx.log(`${name}: ${ctx.warmupS} s warm-up + ${ctx.durationS} s`);
    const resets = await resetLimitsContinuously(ctx.redisUrl, LIMITER_RESET_MS);
    try {
      return await ctx.loadGenerator.load(
        { token, paths },
        { baseUrl: ctx.baseUrl, connections: ctx.connections, warmupS: ctx.warmupS, durationS: ctx.durationS },
      );
    } finally {
      await resets.stop();
    }
  };
  const paths = scalePaths({ cursors, searchTerms });
  const firstPage = await load("scale: first page", paths.firstPage);
  const deepPage = await load(`scale: page at depth ${SCALE_DEPTH}`, paths.deepPage);
  const search = await load("scale: search", paths.search);
  return { firstPage, deepPage, search, searchTerms };
}

/** Signs the scale coach up, seeds, and checks through the API that the cursors and terms work. */
export async function prepareScale(ctx: Pick<ScaleContext, "baseUrl" | "origin" | "appDbUrl" | "log">) {
  const handle = `scale-coach-${Date.now().toString(36)}`;
  const { token, userId } = await signUpCoach(ctx.baseUrl, ctx.origin, handle, "Scale coach", 1 << 20);
  const sql = postgres(ctx.appDbUrl, { max: 1, onnotice: () => {} });
  let cursors: Cursor[];
  let searchTerms: string[];
  try {
    const others = SCALE.otherCoaches * SCALE.clientsPerOtherCoach;
    ctx.log(`scale: seeding ${SCALE.clients} clients for one coach and ${others} for others`);
    await seedScale(sql, userId, ctx.log);
    cursors = await deepCursors(sql, userId);
    searchTerms = await surnames(sql, userId);
  } finally {
    await sql.end();
  }
  const get = async (path: string) => {
    const res = await fetch(`${ctx.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET ${path} → ${res.status}: ${await res.text()}`);
    return (await res.json()) as { items: { id: string; name: string }[] };
  };
  await checkDeepPage(get, cursors[0] as Cursor);
  for (const term of searchTerms) {
    const page = await get(`/api/v1/clients?q=${term}`);
    if (!page.items.some((item) => item.name.includes(term))) throw new Error(`scale: no search result for ${term}`);
  }
  return { token, cursors, searchTerms };
}

/** The paths each part of the scenario rotates over, from what `prepareScale` returned. */
export function scalePaths({ cursors, searchTerms }: { cursors: Cursor[]; searchTerms: string[] }) {
  return {
    firstPage: ["/api/v1/clients"],
    deepPage: cursors.map((c) => `/api/v1/clients?cursor=${c.cursor}`),
    search: searchTerms.map((term) => `/api/v1/clients?q=${term}`),
  };
}

interface Cursor {
  cursor: string;
  /** The id of the first row of the page that the cursor opens. */
  nextId: string;
}

/**
 * Cursors of pages at depth 150,000 (and a few rows further, so the load does not repeat one
 * statement), in the API's cursor format: base64url JSON of the last row's UTC text with `+00`
 * and its id. `checkDeepPage` asks the API for one of them and fails if the format drifted.
 */
async function deepCursors(sql: postgres.Sql, coachId: string): Promise<Cursor[]> {
  const rows = await sql<{ k: string; id: string; next_id: string; n: string }[]>`
    select (created_at at time zone 'UTC')::text || '+00' as k, id, lead(id) over w as next_id, n
    from (select created_at, id, row_number() over (order by created_at desc, id desc) as n
          from clients where coach_id = ${coachId}) c
    window w as (order by n)
    order by n offset ${SCALE_DEPTH - 1} limit 41`;
  return rows
    .filter((_, i) => i % 10 === 0)
    .map((row) => ({
      cursor: Buffer.from(JSON.stringify({ k: row.k, id: row.id })).toString("base64url"),
      nextId: row.next_id,
    }));
}

async function checkDeepPage(get: (path: string) => Promise<{ items: { id: string }[] }>, cursor: Cursor) {
  const page = await get(`/api/v1/clients?cursor=${cursor.cursor}`);
  if (page.items[0]?.id !== cursor.nextId) {
    throw new Error(`scale: the page at depth ${SCALE_DEPTH} starts at ${page.items[0]?.id}, not ${cursor.nextId}`);
  }
}

/** Surnames of rows spread over the roster; each matches ~25 of the coach's 200,000 clients. */
async function surnames(sql: postgres.Sql, coachId: string): Promise<string[]> {
  const rows = await sql<{ term: string }[]>`
    select distinct split_part(name, ' ', 2) as term
    from (select name, row_number() over (order by created_at desc, id desc) as n
          from clients where coach_id = ${coachId}) c
    where n % 20011 = 0`;
  return rows.map((row) => row.term);
}
