import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "backend",
          root: "backend",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: "forks",
        },
      },
      {
        // Operator scripts (bash) exercised for real: backups, tunnel guard, deploy, drills.
        test: {
          name: "ops",
          root: "scripts",
          include: ["test/**/*.test.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          pool: "forks",
        },
      },
      {
        test: {
          name: "e2e",
          root: "scripts/test/e2e",
          include: ["**/*.test.ts"],
          testTimeout: 180000,
          hookTimeout: 180000,
          pool: "forks",
        },
      },
    ],
  },
});
