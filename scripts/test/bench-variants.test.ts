import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { median, parseVariant, parseVariants, roundOrder } from "../../bench/lib/variants.ts";
import { REPO_ROOT } from "./support/script-runner.ts";

describe("bench/compare variant specs", () => {
  it("reads a build, environment overrides and node flags", () => {
    expect(
      parseVariant("old,dist=/tmp/old/backend/dist,DATABASE_POOL_MAX=6,--heap-growing-percent=100", "/cur"),
    ).toEqual({
      label: "old",
      dist: "/tmp/old/backend/dist",
      env: { DATABASE_POOL_MAX: "6" },
      nodeArgs: ["--heap-growing-percent=100"],
    });
    expect(parseVariant("base", "/cur")).toEqual({ label: "base", dist: "/cur", env: {}, nodeArgs: [] });
    // A value may itself contain "=".
    expect(parseVariant("x,NODE_OPTIONS=--max-old-space-size=512", "/cur").env).toEqual({
      NODE_OPTIONS: "--max-old-space-size=512",
    });
  });

  it("refuses what it cannot mean", () => {
    expect(() => parseVariant("", "/cur")).toThrow("the label must be");
    expect(() => parseVariant("a b", "/cur")).toThrow("the label must be");
    expect(() => parseVariant("a,pool", "/cur")).toThrow('"pool" is neither NAME=value');
    expect(() => parseVariant("a,pool-max=3", "/cur")).toThrow('"pool-max" is not an environment variable name');
    expect(() => parseVariants(["a", "b,X=1", "a,--flag"], "/cur")).toThrow('variant label "a" is used twice');
  });

  it("alternates the order of the windows between rounds", () => {
    expect([0, 1, 2, 3].map((round) => roundOrder(3, round))).toEqual([
      [0, 1, 2],
      [2, 1, 0],
      [0, 1, 2],
      [2, 1, 0],
    ]);
  });

  it("takes the median of odd and even counts", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow("median of nothing");
  });
});

describe("bench command lines", () => {
  const tsx = path.join(REPO_ROOT, "node_modules/.bin/tsx");
  const run = (script: string, args: string[]) =>
    spawnSync(tsx, [script, ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: 30_000 });

  it("pnpm bench answers --help, and refuses an unknown option before building or starting anything", () => {
    const help = run("bench/run.ts", ["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: pnpm bench/);
    const unknown = run("bench/run.ts", ["--scale"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("bench: unknown option --scale");
    expect(unknown.stderr).not.toContain("building the backend");
  });

  it("bench/compare.ts lists the scale scenarios and refuses an unknown one", () => {
    expect(run("bench/compare.ts", ["--help"]).stdout).toContain("scale-search");
    const unknown = run("bench/compare.ts", ["--scenario", "scale-everything", "a"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("scale-page, scale-deep, scale-search, not scale-everything");
  });
});
