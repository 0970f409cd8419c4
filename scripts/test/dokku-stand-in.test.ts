// The Dokku stand-in (support/dokku-stand-in.ts) behaves like Dokku 0.38 where this repository's
// scripts and runbooks depend on it. Each behaviour and where Dokku does it (dokku/dokku v0.38.27,
// dokku/docker-container-healthchecker v0.16.0):
//
// | behaviour                                                   | source                                                              |
// |-------------------------------------------------------------|---------------------------------------------------------------------|
// | `git push <sha>:main` to a new app fails: not a full refname | git itself (client side), before Dokku sees anything                |
// | deploys only `refs/heads/<deploy-branch>`; the first pushed  | plugins/git/functions: cmd-git-hook, fn-git-computed-deploy-branch  |
// |   branch becomes it; another branch: warning, push succeeds  |                                                                     |
// | PORT = the first (sorted) non-udp mapping's container port   | plugins/scheduler-docker-local/bin/scheduler-deploy-process-container, |
// |                                                             | plugins/ports (setPortMaps sorts)                                   |
// | a check's app.json "port" is used as-is; else Dokku's --port | docker-container-healthchecker commands/check.go; scheduler-docker-  |
// |   (the web PORT)                                            | local/check-deploy                                                  |
// | failed checks: the old container keeps serving, push fails   | scheduler-docker-local/scheduler-deploy                             |
// | the old container gets SIGTERM once traffic switched (0.38)  | scheduler-docker-local/scheduler-deploy (commit 1161dda)             |
// | images no running container uses are pruned                  | plugins/common/docker.go: DockerCleanup                             |
// | git:from-image fails while dockerfile-path is set            | plugins/git/git-from-image, plugins/builder-dockerfile/core-post-extract |
// | ps:scale refuses a type the deployed Procfile lacks           | plugins/ps: updateScale                                             |
// | release: runs before the switch; its failure fails the push   | plugins/scheduler-docker-local (release task)                       |
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../lib/free-port.ts";
import { type DokkuWorld, dokkuWorld } from "./support/dokku-fixture.ts";

const APP = "coaching-app";
let world: DokkuWorld;

// Ports as on the nodes (production 3001, staging 3002) would collide with other tests: free ones.
const configureApp = (app: string, port: number) => {
  for (const args of [
    ["apps:create", app],
    ["builder-dockerfile:set", app, "dockerfile-path", "dokku/Dockerfile"],
    ["app-json:set", app, "appjson-path", "dokku/app.json"],
    ["ps:set", app, "procfile-path", "dokku/Procfile"],
    ["ports:set", app, `http:${port}:${port}`],
  ]) {
    const result = world.dokku(...args);
    expect(result.code, `dokku ${args.join(" ")}: ${result.stderr}`).toBe(0);
  }
};

const version = async (port: number) =>
  ((await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { version: string }).version;

describe("the Dokku stand-in", () => {
  afterEach(async () => {
    await world?.close();
  });

  describe("with this repository's dokku/app.json", () => {
    beforeEach(async () => {
      world = await dokkuWorld();
    });

    it("refuses a first push to an unqualified branch (git's rule) and deploys <sha>:refs/heads/main", async () => {
      const port = await freePort();
      configureApp(APP, port);
      const sha = world.git("rev-parse", "HEAD");
      // docs/runbooks/node-lost.md's command for a rebuilt node, before it said refs/heads/main.
      const short = world.push(APP, `${sha}:main`);
      expect(short.code).not.toBe(0);
      expect(short.output).toContain("is not a full refname");
      const full = world.push(APP, `${sha}:refs/heads/main`);
      expect(full.code, full.output).toBe(0);
      expect(full.output).toContain("Set main as deploy-branch");
      expect(full.output).toContain("Application deployed");
      expect(world.report(APP).running?.port).toBe(port);
      expect(await version(port)).toBe(sha);
    });

    it("passes PORT from the first port mapping, and the startup check follows it (staging's own port)", async () => {
      const port = await freePort();
      configureApp("coaching-app-staging", port);
      const result = world.push("coaching-app-staging", "HEAD:refs/heads/main");
      expect(result.code, result.output).toBe(0);
      expect(world.report("coaching-app-staging").running?.port).toBe(port);
      expect(await version(port)).toBe(world.git("rev-parse", "HEAD"));
    });

    it("deploys nothing for a push to another branch than the deploy-branch, and the push still succeeds", async () => {
      configureApp(APP, await freePort());
      world.dokku("git:set", APP, "deploy-branch", "master");
      const result = world.push(APP, "HEAD:refs/heads/main");
      expect(result.code).toBe(0);
      expect(result.output).toContain("WARNING: deploy did not complete, you must push to master");
      expect(world.report(APP).running).toBeUndefined();
    });

    it("keeps only the running release's image, and git:from-image fails while dockerfile-path is set", async () => {
      const port = await freePort();
      configureApp(APP, port);
      const first = world.git("rev-parse", "HEAD");
      expect(world.push(APP, "HEAD:refs/heads/main").code).toBe(0);
      const firstPid = world.report(APP).running?.pid ?? 0;
      const second = await world.commit({ CHANGES: "second\n" }, "second release");
      expect(world.push(APP, "HEAD:refs/heads/main").code).toBe(0);
      expect(world.report(APP).images).toEqual([second]);
      // The previous container was sent SIGTERM when the new one took over.
      await expect.poll(() => isAlive(firstPid), { timeout: 10_000 }).toBe(false);
      // The rollback the old runbook described: an image that is gone, through a path Dokku refuses.
      expect(world.dokku("git:from-image", APP, `dokku/${APP}:${first}`).stderr).toContain(
        "Invalid dockerfile-path specified: dokku/Dockerfile",
      );
      world.dokku("builder-dockerfile:set", APP, "dockerfile-path");
      expect(world.dokku("git:from-image", APP, `dokku/${APP}:${first}`).stderr).toContain("Unable to find image");
      // What works: pushing the old commit again (scripts/rollback.sh), which rebuilds it.
      world.dokku("builder-dockerfile:set", APP, "dockerfile-path", "dokku/Dockerfile");
      const back = world.push(APP, `${first}:refs/heads/main`, true);
      expect(back.code, back.output).toBe(0);
      expect(await version(port)).toBe(first);
    });

    it("refuses ps:scale of a process type the deployed Procfile lacks", async () => {
      configureApp(APP, await freePort());
      expect(world.push(APP, "HEAD:refs/heads/main").code).toBe(0);
      expect(world.dokku("ps:scale", APP, "web=1").code).toBe(0);
      const worker = world.dokku("ps:scale", APP, "worker=1");
      expect(worker.code).toBe(1);
      expect(worker.stderr).toContain("worker is not a valid process name to scale up");
    });
  });

  it("fails the deploy and keeps the old container when app.json pins a port the app does not listen on", async () => {
    // dokku/app.json as it was: "port": 3001 (production's), with staging's own mapping (3002).
    const [production, staging] = [await freePort(), await freePort()];
    const check = { type: "startup", path: "/health/ready", port: production, attempts: 2, wait: 1 };
    world = await dokkuWorld({ appJson: JSON.stringify({ healthchecks: { web: [check] } }) });
    configureApp("coaching-app-staging", staging);
    const result = world.push("coaching-app-staging", "HEAD:refs/heads/main");
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(`Attempt 2/2: check failed (http://127.0.0.1:${production}/health/ready)`);
    expect(result.output).toContain("Could not start due to 1 failed checks");
    expect(world.report("coaching-app-staging").running).toBeUndefined();
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
