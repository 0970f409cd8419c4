// A stand-in for the `dokku` command, for the tests of the scripts that drive Dokku. It keeps only
// what those scripts depend on, and each behaviour is taken from Dokku 0.38's source (dokku/dokku at
// v0.38.27; the table in scripts/test/dokku-stand-in.test.ts names the file of each). The
// "container" is a process started in the pushed commit's tree with the app's config, and "images"
// are records of built commits.
//
// Run: node scripts/test/support/dokku-stand-in.ts <command> [args]; state under DOKKU_STAND_IN_ROOT.
// DOKKU_STAND_IN_TIME_SCALE (default 1) scales app.json's check delays, so tests need not wait
// Dokku's real seconds.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const ROOT = process.env.DOKKU_STAND_IN_ROOT ?? fail("DOKKU_STAND_IN_ROOT is not set");
const TIME_SCALE = Number(process.env.DOKKU_STAND_IN_TIME_SCALE ?? "1");
const SELF = import.meta.filename;

interface AppState {
  domains: string[];
  properties: Record<string, string>; // "<plugin>.<key>", as `<plugin>:set <app> <key> <value>` stores them
  config: Record<string, string>;
  ports: string[];
  scale: Record<string, number>;
  /** Process types of the last deployed Procfile (ps:scale checks against them). */
  processTypes: string[] | undefined;
  /** Built commits ("images"); Dokku's cleanup keeps only what a running container uses. */
  images: string[];
  running: { rev: string; pid: number; port: number } | undefined;
}

function fail(message: string, code = 1): never {
  process.stderr.write(` !     ${message}\n`);
  process.exit(code);
}

const appDir = (app: string) => path.join(ROOT, "apps", app);
const statePath = (app: string) => path.join(appDir(app), "state.json");
const globalPath = () => path.join(ROOT, "global.json");

function load(app: string): AppState {
  if (!existsSync(statePath(app))) fail(`App ${app} does not exist`);
  return JSON.parse(readFileSync(statePath(app), "utf8")) as AppState;
}
const save = (app: string, state: AppState) => writeFileSync(statePath(app), JSON.stringify(state, null, 2));
const loadGlobal = (): Record<string, string> =>
  existsSync(globalPath()) ? JSON.parse(readFileSync(globalPath(), "utf8")) : {};

/** `<plugin>:set <app>|--global <key> [<value>]`: an empty value unsets (as Dokku's property-write does). */
function setProperty(plugin: string, target: string | undefined, key: string | undefined, value: string | undefined) {
  if (!target || !key) fail(`Please specify an app and a property: ${plugin}:set <app> <key> [<value>]`);
  const name = `${plugin}.${key}`;
  if (target === "--global") {
    const global = loadGlobal();
    if (value) global[name] = value;
    else delete global[name];
    writeFileSync(globalPath(), JSON.stringify(global, null, 2));
    return;
  }
  const state = load(target);
  if (value) state.properties[name] = value;
  else delete state.properties[name];
  save(target, state);
}

const property = (state: AppState, name: string) => state.properties[name] ?? loadGlobal()[name];

// plugins/apps: apps:create makes the app and its git repository, whose pre-receive hook runs
// `dokku git-hook <app>` (plugins/git/functions, fn-git-create-hook).
function appsCreate(app: string | undefined) {
  if (!app || !/^[a-z0-9][a-z0-9-]*$/.test(app)) fail("App name must begin with lowercase alphanumeric character");
  if (existsSync(statePath(app))) fail(`Name is already taken`);
  mkdirSync(appDir(app), { recursive: true });
  const state: AppState = {
    domains: [],
    properties: {},
    config: {},
    ports: [],
    scale: { web: 1 },
    processTypes: undefined,
    images: [],
    running: undefined,
  };
  save(app, state);
  const repo = path.join(appDir(app), "repo.git");
  execFileSync("git", ["init", "-q", "--bare", repo]);
  writeFileSync(
    path.join(repo, "hooks", "pre-receive"),
    `#!/usr/bin/env bash\nexec "${process.execPath}" "${SELF}" git-hook ${app}\n`,
    { mode: 0o755 },
  );
  console.log(`-----> Creating ${app}...`);
}

// plugins/ports: `ports:set <app> <scheme>:<host-port>:<container-port>...`, stored sorted as strings.
function portsSet(app: string | undefined, maps: string[]) {
  if (!app) fail("Please specify an app to run the command on");
  const state = load(app);
  for (const map of maps) {
    if (!/^(http|https|udp):\d+:\d+$/.test(map)) fail(`Invalid port mapping specified: ${map}`);
  }
  state.ports = [...maps].sort();
  save(app, state);
}

// plugins/config: KEY=VALUE pairs; --no-restart skips the restart.
function configSet(args: string[]) {
  const rest = args.filter((arg) => arg !== "--no-restart" && arg !== "--encoded");
  const [app, ...pairs] = rest;
  if (!app) fail("Please specify an app to run the command on");
  const state = load(app);
  for (const pair of pairs) {
    const match = pair.match(/^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s);
    if (!match?.[1]) fail(`Invalid env pair: ${pair}`);
    state.config[match[1]] = match[2] ?? "";
  }
  save(app, state);
}

// plugins/ps ps:scale (updateScale): a type the deployed Procfile lacks is refused.
function psScale(app: string | undefined, pairs: string[]) {
  if (!app) fail("Please specify an app to run the command on");
  const state = load(app);
  for (const pair of pairs) {
    const [type, count] = pair.split("=");
    if (!type || !/^\d+$/.test(count ?? "")) fail(`Invalid scale argument: ${pair}`);
    if (state.processTypes && Number(count) > 0 && !state.processTypes.includes(type)) {
      fail(`${type} is not a valid process name to scale up`);
    }
    state.scale[type] = Number(count);
  }
  save(app, state);
}

// plugins/logs logs:set --global vector-sink: SINK_TYPE://?OPTIONS (SinkValueToConfig).
function logsSet(args: string[]) {
  const [target, key, value] = args;
  if (key === "vector-sink" && value && !/^[a-z_]+:\/\/\?./.test(value)) {
    fail(`Invalid vector-sink value, expected SINK_TYPE://?SINK_OPTIONS: ${value}`);
  }
  setProperty("logs", target, key, value);
}

// plugins/git git:from-image: a build context holding only `FROM <image>`, which
// plugins/builder-dockerfile/core-post-extract refuses while a dockerfile-path it lacks is set.
function fromImage(app: string | undefined, image: string | undefined) {
  if (!app || !image) fail("Please specify an app and an image");
  const state = load(app);
  const dockerfilePath = property(state, "builder-dockerfile.dockerfile-path");
  if (dockerfilePath && dockerfilePath !== "Dockerfile") fail(`Invalid dockerfile-path specified: ${dockerfilePath}`);
  const rev = image.split(":").at(-1) ?? "";
  if (!state.images.includes(rev)) fail(`Unable to find image '${image}' locally`);
}

// plugins/git/functions cmd-git-hook: deploy when the ref is refs/heads/<deploy-branch>. The branch
// is the app's setting, else the global one, else (fn-git-computed-deploy-branch) the first pushed
// branch, saved for the app; another branch gets a warning and the push still succeeds.
async function gitHook(app: string | undefined) {
  if (!app) fail("Please specify an app");
  const lines = readFileSync(0, "utf8").trim().split("\n").filter(Boolean);
  for (const line of lines) {
    const [, newrev, ref] = line.split(" ");
    if (!newrev || !ref?.startsWith("refs/heads/")) continue;
    const branch = ref.slice("refs/heads/".length);
    const state = load(app);
    let deployBranch = property(state, "git.deploy-branch");
    if (!deployBranch) {
      console.log(`-----> Set ${branch} as deploy-branch`);
      state.properties["git.deploy-branch"] = branch;
      save(app, state);
      deployBranch = branch;
    }
    if (branch !== deployBranch) {
      console.log(` !     WARNING: deploy did not complete, you must push to ${deployBranch}.`);
      continue;
    }
    await deploy(app, newrev);
  }
}

function readFromCommit(repo: string, rev: string, file: string): string | undefined {
  try {
    return execFileSync("git", ["--git-dir", repo, "show", `${rev}:${file}`], { encoding: "utf8", stdio: "pipe" });
  } catch {
    return undefined;
  }
}

/** The first non-udp mapping's container port (scheduler-docker-local/bin/scheduler-deploy-process-container). */
function webPort(state: AppState): number {
  const first = state.ports.find((map) => !map.startsWith("udp:"));
  return Number(first?.split(":")[2] ?? 5000);
}

async function deploy(app: string, rev: string) {
  const repo = path.join(appDir(app), "repo.git");
  const state = load(app);
  console.log(`-----> Deploying ${app} (${rev.slice(0, 8)})...`);
  const dockerfile = property(state, "builder-dockerfile.dockerfile-path") ?? "Dockerfile";
  if (readFromCommit(repo, rev, dockerfile) === undefined) fail(`Invalid dockerfile-path specified: ${dockerfile}`);
  const procfile = readFromCommit(repo, rev, property(state, "ps.procfile-path") ?? "Procfile") ?? "";
  const processes = Object.fromEntries(
    procfile
      .split("\n")
      .map((line) => line.match(/^([A-Za-z0-9_-]+):\s*(.+)$/))
      .filter((match): match is RegExpMatchArray => match !== null)
      .map((match) => [match[1], match[2]]),
  ) as Record<string, string>;
  const appJson = JSON.parse(readFromCommit(repo, rev, property(state, "app-json.appjson-path") ?? "app.json") ?? "{}");

  // The "image": the commit's tree. Dokku builds the Dockerfile; the tests' apps need no build.
  const tree = path.join(appDir(app), "builds", rev);
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  execFileSync("bash", ["-c", `git --git-dir "${repo}" archive "${rev}" | tar -x -C "${tree}"`]);
  state.images.push(rev);

  const port = webPort(state);
  const env = { ...process.env, ...state.config, GIT_REV: rev, PORT: String(port) };
  if (processes.release) {
    console.log(`-----> Releasing ${app}...`);
    try {
      execFileSync("bash", ["-c", processes.release], { cwd: tree, env, stdio: ["ignore", "inherit", "inherit"] });
    } catch {
      fail("Execution of release task failed");
    }
  }
  if (!processes.web) fail("No web process in the Procfile");
  const log = openSync(path.join(appDir(app), `web-${rev.slice(0, 8)}.log`), "a");
  const web = spawn("bash", ["-c", `exec ${processes.web}`], {
    cwd: tree,
    env,
    detached: true,
    stdio: ["ignore", log, log],
  });
  web.unref();

  const checks: AppCheck[] = appJson.healthchecks?.web ?? [];
  const failed = await runChecks(checks, port);
  if (failed > 0) {
    try {
      process.kill(web.pid as number, "SIGKILL");
    } catch {}
    fail(`Could not start due to ${failed} failed checks (${app})`);
  }
  const previous = state.running;
  state.running = { rev, pid: web.pid as number, port };
  state.processTypes = Object.keys(processes);
  // plugins/common/docker.go DockerCleanup: only images a running container uses are kept.
  state.images = [rev];
  save(app, state);
  // scheduler-docker-local/scheduler-deploy (0.38): the old container gets SIGTERM once traffic switched.
  if (previous && previous.pid !== web.pid) {
    try {
      process.kill(previous.pid, "SIGTERM");
    } catch {}
  }
  console.log(`=====> Application deployed: ${state.domains.map((d) => `http://${d}`).join(" ")}`);
}

interface AppCheck {
  type?: string;
  name?: string;
  path?: string;
  port?: number;
  attempts?: number;
  wait?: number;
  timeout?: number;
  initialDelay?: number;
}

// docker-container-healthchecker commands/check.go: a check's own "port" wins; without one the
// --port flag Dokku passes (check-deploy: the web process's PORT).
async function runChecks(checks: AppCheck[], listenPort: number): Promise<number> {
  let failed = 0;
  for (const check of checks.filter((c) => (c.type ?? "startup") === "startup")) {
    const port = check.port ?? listenPort;
    const url = `http://127.0.0.1:${port}${check.path ?? "/"}`;
    await sleepS(check.initialDelay ?? 0);
    let ok = false;
    for (let attempt = 1; attempt <= (check.attempts ?? 3) && !ok; attempt++) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout((check.timeout ?? 5) * 1000) });
        ok = res.ok;
      } catch {}
      if (!ok) {
        console.log(`       Attempt ${attempt}/${check.attempts ?? 3}: ${check.name ?? "check"} failed (${url})`);
        await sleepS(check.wait ?? 5);
      }
    }
    if (!ok) failed++;
  }
  return failed;
}

const sleepS = (s: number) => new Promise((resolve) => setTimeout(resolve, s * 1000 * TIME_SCALE));

function report(app: string | undefined) {
  if (!app) fail("Please specify an app to run the command on");
  const state = load(app);
  console.log(JSON.stringify({ ...state, global: loadGlobal() }));
}

function psStop(app: string | undefined) {
  if (!app) fail("Please specify an app to run the command on");
  const state = load(app);
  if (state.running) {
    try {
      process.kill(state.running.pid, "SIGTERM");
    } catch {}
  }
  state.running = undefined;
  save(app, state);
}

const [command, ...args] = process.argv.slice(2);
switch (command) {
  case "apps:create":
    appsCreate(args[0]);
    break;
  case "apps:exists":
    process.exit(args[0] && existsSync(statePath(args[0])) ? 0 : 1);
    break;
  case "domains:set": {
    const [app, ...domains] = args;
    if (!app) fail("Please specify an app to run the command on");
    const state = load(app);
    state.domains = domains;
    save(app, state);
    break;
  }
  case "ports:set":
    portsSet(args[0], args.slice(1));
    break;
  case "config:set":
    configSet(args);
    break;
  case "config:get": {
    const value = load(args[0] ?? "").config[args[1] ?? ""];
    if (value === undefined) process.exit(1);
    console.log(value);
    break;
  }
  case "builder-dockerfile:set":
  case "app-json:set":
  case "ps:set":
  case "checks:set":
  case "git:set":
  case "nginx:set":
  case "builder:set":
    setProperty(command.split(":")[0] as string, args[0], args[1], args[2]);
    break;
  case "logs:set":
    logsSet(args);
    break;
  case "proxy:build-config":
    load(args[0] ?? "");
    break;
  case "ps:scale": {
    // ps:scale [--skip-deploy] [--format stdout|json] <app> <proc>=<count>...
    const rest = args.filter((arg, i) => arg !== "--skip-deploy" && arg !== "--format" && args[i - 1] !== "--format");
    psScale(rest[0], rest.slice(1));
    break;
  }
  case "ps:stop":
    psStop(args[0]);
    break;
  case "git:from-image":
    fromImage(args[0], args[1]);
    break;
  case "git-hook":
    await gitHook(args[0]);
    break;
  case "report":
    report(args[0]);
    break;
  default:
    fail(`\`${command}\` is not a dokku command.`, 1);
}
