// `tsx bench/profile.ts <scenario> [seconds]`: one scenario against a `--cpu-prof` API, for finding
// where the time goes (the profile lands in bench/*.cpuprofile, gitignored). No budgets, no build.
import path from "node:path";
import { freePort } from "../scripts/lib/free-port.ts";
import { LoadGenerator } from "./lib/load-generator.ts";
import { seedUsers } from "./lib/seed.ts";
import { productionEnv, ROOT, runNode, startInfra, startServerProcess } from "./lib/stack.ts";
import { SCENARIOS, type ScenarioName } from "./lib/traffic.ts";

const [scenario = "health", seconds = "8"] = process.argv.slice(2) as [ScenarioName?, string?];
if (!SCENARIOS.includes(scenario)) throw new Error(`scenario: ${SCENARIOS.join(", ")}, not ${scenario}`);
const infra = await startInfra();
try {
  const env = productionEnv(infra, await freePort());
  await runNode(["backend/dist/db/migrate-cli.js"], env, "migrations");
  const api = await startServerProcess("backend/dist/main.js", env, path.join(infra.dir, "api.log"), [
    "--cpu-prof",
    `--cpu-prof-dir=${path.join(ROOT, "bench")}`,
  ]);
  console.log("rss after start", await api.rssMb());
  const generator = new LoadGenerator(
    scenario === "health" ? [] : await seedUsers(api.baseUrl, 64, env.CORS_ORIGIN as string),
  );
  const result = await generator.load(scenario, {
    baseUrl: api.baseUrl,
    connections: 32,
    warmupS: 1,
    durationS: Number(seconds),
  });
  await generator.close();
  console.log(scenario, JSON.stringify(result));
  console.log("rss after load", await api.rssMb());
  await api.stop();
} finally {
  await infra.stop();
}
