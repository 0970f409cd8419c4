// `tsx bench/compare.ts [options] VARIANT...`: several API builds or configurations on one stack,
// load alternated between them in short windows, medians compared. See docs/performance.md.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { freePort } from "../scripts/lib/free-port.ts";
import { resetLimitsContinuously } from "./lib/limiter-reset.ts";
import { LoadGenerator } from "./lib/load-generator.ts";
import { prepareScale, scalePaths } from "./lib/scale.ts";
import { seedUsers } from "./lib/seed.ts";
import {
  productionEnv,
  ROOT,
  resetRateLimits,
  runNode,
  type ServerProcess,
  startInfra,
  startServerProcess,
} from "./lib/stack.ts";
import { type PathRotation, SCENARIOS, type ScenarioName } from "./lib/traffic.ts";
import { median, parseVariants, roundOrder } from "./lib/variants.ts";

const USAGE = `usage: tsx bench/compare.ts [options] VARIANT [VARIANT...]

Starts one Postgres and Redis, one API process per variant (production config, the image's heap
caps) and a seeding process, then loads the variants in turn — short windows, alternating order,
rate limits reset before each — and prints the median of each variant's windows. This machine's
speed drifts by ±30 % within minutes; windows side by side keep that drift out of the comparison.

VARIANT   label[,dist=DIR][,NAME=value...][,--node-flag...]
            dist=DIR     a backend build (default: backend/dist, built by you beforehand)
            NAME=value   an environment override, e.g. DATABASE_POOL_MAX=6
            --flag       an extra node/V8 flag, e.g. --heap-growing-percent=100
          An older build: git worktree add /tmp/old <rev> && cd /tmp/old &&
            pnpm install --frozen-lockfile --offline && pnpm --filter @coaching-app/backend build
          then old,dist=/tmp/old/backend/dist

Options:
  --scenario S   clients (default), me, mixed, health or create-client — 32 connections, closed
                 loop, sent from a worker thread (bench/lib/load-generator.ts); or scale-page,
                 scale-deep, scale-search: the 200k roster of pnpm bench's scale scenario (seeded
                 once, 1.2M rows, ~90 s), its first page, pages at depth 150k or ?q= searches
  --rounds N     windows per variant (default 6)
  --window S     seconds per window after 0.5 s of warm-up (default 5)
  --users N      seeded coaches the requests round-robin over (default 256)
  --help         this text

Output: one line per window, then per variant the medians of req/s, p50/p95/p99 and API CPU
microseconds per request (all threads of the process), and req/s relative to the first variant.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      scenario: { type: "string", default: "clients" },
      rounds: { type: "string", default: "6" },
      window: { type: "string", default: "5" },
      users: { type: "string", default: "256" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const scenario = values.scenario as ScenarioName | ScaleScenario;
  if (![...SCENARIOS, ...SCALE_SCENARIOS].includes(scenario))
    throw new Error(`--scenario: ${[...SCENARIOS, ...SCALE_SCENARIOS].join(", ")}, not ${scenario}`);
  const rounds = positiveInt("--rounds", values.rounds as string);
  const windowS = positiveInt("--window", values.window as string);
  const users = positiveInt("--users", values.users as string);
  if (positionals.length === 0) throw new Error(`no variant given\n\n${USAGE}`);
  const variants = parseVariants(positionals, path.join(ROOT, "backend/dist"));
  for (const v of variants) {
    if (!existsSync(path.join(v.dist, "main.js")))
      throw new Error(`${v.label}: no main.js in ${v.dist} (build it first)`);
  }

  const infra = await startInfra();
  const servers: ServerProcess[] = [];
  let generator: LoadGenerator | undefined;
  try {
    const base = productionEnv(infra, 0);
    await runNode(["backend/dist/db/migrate-cli.js"], { ...base, PORT: String(await freePort()) }, "migrations");
    for (const v of variants) {
      const env = { ...base, PORT: String(await freePort()), ...v.env };
      const log = path.join(infra.dir, `${v.label}.log`);
      servers.push(await startServerProcess(path.join(v.dist, "main.js"), env, log, v.nodeArgs));
      console.error(`[compare] ${v.label} started (${Math.round(servers.at(-1)?.coldStartMs ?? 0)} ms)`);
    }
    // Seeding (scrypt sign-ups) through a process of its own, so no variant starts with its heap shaped by it.
    const seeder = await startServerProcess(
      "backend/dist/main.js",
      { ...base, PORT: String(await freePort()) },
      path.join(infra.dir, "seeder.log"),
    );
    servers.push(seeder);
    let load: ScenarioName | PathRotation;
    if (isScaleScenario(scenario)) {
      const scale = await prepareScale({
        baseUrl: seeder.baseUrl,
        origin: base.CORS_ORIGIN as string,
        appDbUrl: infra.appDbUrl,
        log: (line) => console.error(`[compare] ${line}`),
      });
      const paths = scalePaths(scale);
      load = { token: scale.token, paths: SCALE_PATHS[scenario](paths) };
      generator = new LoadGenerator([]);
    } else {
      console.error(`[compare] seeding ${users} coaches × 20 clients`);
      generator = new LoadGenerator(await seedUsers(seeder.baseUrl, users, base.CORS_ORIGIN as string));
      load = scenario;
    }
    await seeder.stop();
    const loadGenerator = generator;
    const window = async (server: ServerProcess, warmupS: number, durationS: number) => {
      await resetRateLimits(infra.redis.url);
      // One user sends every request of a scale scenario, far over its 600/min (bench/lib/scale.ts).
      const resets = isScaleScenario(scenario) ? await resetLimitsContinuously(infra.redis.url, 100) : undefined;
      const cpu0 = cpuSeconds(server);
      const started = performance.now();
      const result = await loadGenerator
        .load(load, { baseUrl: server.baseUrl, connections: 32, warmupS, durationS })
        .finally(() => resets?.stop());
      const cpu = (cpuSeconds(server) - cpu0) / ((performance.now() - started) / 1000);
      return { ...result, usPerRequest: (cpu * 1e6) / result.rps };
    };
    console.error("[compare] warming every variant (3 s each)");
    for (const server of servers.slice(0, variants.length)) await window(server, 0, 3);

    const windows = variants.map(() => [] as Awaited<ReturnType<typeof window>>[]);
    for (let round = 0; round < rounds; round++) {
      for (const i of roundOrder(variants.length, round)) {
        const result = await window(servers[i] as ServerProcess, 0.5, windowS);
        const unexpected = Object.entries(result.statuses).filter(([status]) => !/^2/.test(status));
        console.log(
          `round ${round + 1} ${pad(variants[i]?.label)} ${result.rps} req/s  p50 ${result.p50}  p95 ${result.p95}  p99 ${result.p99} ms  ${Math.round(result.usPerRequest)} µs CPU/req` +
            (unexpected.length ? `  unexpected ${unexpected.map(([s, n]) => `${s}×${n}`).join(" ")}` : ""),
        );
        windows[i]?.push(result);
      }
    }
    console.log(`\nmedians of ${rounds} windows of ${windowS} s, ${scenario}, 32 connections:`);
    const firstRps = median((windows[0] ?? []).map((w) => w.rps));
    for (const [i, list] of windows.entries()) {
      const m = (pick: (w: (typeof list)[number]) => number) => Math.round(median(list.map(pick)) * 100) / 100;
      const rss = await (servers[i] as ServerProcess).rssMb();
      console.log(
        `${pad(variants[i]?.label)} ${Math.round(m((w) => w.rps))} req/s (${(m((w) => w.rps) / firstRps).toFixed(2)}×)  p50 ${m((w) => w.p50)}  p95 ${m((w) => w.p95)}  p99 ${m((w) => w.p99)} ms  ${Math.round(m((w) => w.usPerRequest))} µs CPU/req  RSS ${rss} MB`,
      );
    }
    const failed = windows.flat().reduce((sum, w) => sum + w.failures, 0);
    if (failed > 0) console.log(`${failed} requests failed or had an unexpected status: the comparison is suspect`);
    return failed > 0 ? 1 : 0;
  } finally {
    await generator?.close();
    for (const server of servers) await server.stop();
    await infra.stop();
  }
}

const SCALE_SCENARIOS = ["scale-page", "scale-deep", "scale-search"] as const;
type ScaleScenario = (typeof SCALE_SCENARIOS)[number];
const SCALE_PATHS: Record<ScaleScenario, (paths: ReturnType<typeof scalePaths>) => string[]> = {
  "scale-page": (paths) => paths.firstPage,
  "scale-deep": (paths) => paths.deepPage,
  "scale-search": (paths) => paths.search,
};

function isScaleScenario(name: string): name is ScaleScenario {
  return (SCALE_SCENARIOS as readonly string[]).includes(name);
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} takes a positive integer, not "${value}"`);
  return n;
}

/** User + system CPU seconds of a process, all its threads (Linux: /proc/<pid>/stat, 100 ticks/s). */
function cpuSeconds(server: ServerProcess): number {
  const stat = readFileSync(`/proc/${server.child.pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const pad = (label = "") => label.padEnd(12);

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench/compare: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
