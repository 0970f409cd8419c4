import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, runScript } from "./support/script-runner.ts";

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), "utf8");

/** The commands of a shell line or script, in order: `pnpm …` invocations only. */
const pnpmCommands = (text: string) =>
  [...text.matchAll(/^\s*(?:- run: )?(pnpm [a-z:]+(?: --[a-z-]+)*)/gm)].map((m) => m[1]);

describe("the first-time test command", () => {
  it("is the same in the README, .ci/run and the GitHub workflow", () => {
    const readmeLine = read("README.md")
      .split("\n")
      .find((line) => line.includes("pnpm test:setup && pnpm test"));
    expect(readmeLine, "README quick start names `pnpm install && pnpm test:setup && pnpm test`").toBeDefined();
    const readme = (readmeLine as string)
      .split("#")[0]
      ?.split("&&")
      .map((part) => part.trim());
    expect(readme).toEqual(["pnpm install", "pnpm test:setup", "pnpm test"]);

    // CI runs them in that order, with lint and typecheck before the tests; install is frozen.
    const expected = ["pnpm install --frozen-lockfile", "pnpm test:setup", "pnpm lint", "pnpm typecheck", "pnpm test"];
    expect(pnpmCommands(read(".ci/run"))).toEqual(expected);
    expect(pnpmCommands(read(".github/workflows/ci.yml").split("\n  audit:")[0] as string)).toEqual(expected);
  });

  it("finds every system package the suite needs on this machine (the suite just used them)", async () => {
    const result = await runScript("scripts/test-setup.sh", ["--dry-run"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("every system package is present");
  });

  it("refuses a CHROMIUM_PATH that is not a browser, naming it", async () => {
    const result = await runScript("scripts/test-setup.sh", ["--dry-run"], {
      env: { CHROMIUM_PATH: "/nonexistent/chrome" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("CHROMIUM_PATH=/nonexistent/chrome is not an executable browser");
  });
});
