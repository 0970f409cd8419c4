import { defineConfig } from "vitest/config";

const LOAD_TESTS = [
  "test/drills.test.ts",
  "test/drills-failover.test.ts",
  "test/drills-data-tier.test.ts",
  "test/bench-quick.test.ts",
];

export default defineConfig({
  test: {
    // Most tests wait on real servers and child processes, not the CPU: run three files at a time.
    maxWorkers: 3,
    projects: [
      {
        test: {
          name: "backend",
          root: "backend",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          // Safety nets against hangs, not performance bounds: under stress-ng a file runs 2–4×
          // slower (scripts/test/stress-suite.sh), and a test that spawns a server takes longer still.
          testTimeout: 120_000,
          hookTimeout: 180_000,
          pool: "forks",
        },
      },
      {
        // Operator scripts (bash) exercised for real: backups, tunnel guard, deploy, Dockerfile steps.
        test: {
          name: "ops",
          root: "scripts",
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**", ...LOAD_TESTS],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          pool: "forks",
        },
      },
      {
        // Timing-sensitive: drills and the bench smoke check measure latencies and detection windows,
        // so `pnpm test` runs them on their own after everything else (see package.json).
        test: {
          name: "load",
          root: "scripts",
          include: LOAD_TESTS,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        test: {
          name: "e2e",
          root: "scripts/test/e2e",
          include: ["**/*.test.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          pool: "forks",
        },
      },
    ],
  },
});
