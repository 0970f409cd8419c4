import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const require = createRequire(import.meta.url);
const cliPackage = require.resolve("@redocly/cli/package.json");
const cli = path.join(path.dirname(cliPackage), (require(cliPackage) as { bin: { redocly: string } }).bin.redocly);

export interface LintResult {
  code: number;
  errors: number;
  warnings: number;
  /** `severity rule-id #/json/pointer: message`, one per problem. */
  problems: string[];
}

interface JsonReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
}

/**
 * Runs `redocly lint` (the repository's redocly.yaml: the recommended rules) on a document as a
 * child process, the way a developer or CI would, and reads its JSON report.
 */
export async function redoclyLint(document: unknown): Promise<LintResult> {
  const { code, stdout, stderr } = await runCli(document);
  let report: JsonReport;
  try {
    report = JSON.parse(stdout) as JsonReport;
  } catch {
    throw new Error(`redocly lint exited ${code} without a report:\n${stdout}${stderr}`);
  }
  return {
    code,
    errors: report.totals.errors,
    warnings: report.totals.warnings,
    problems: report.problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`),
  };
}

async function runCli(document: unknown): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "openapi-lint-"));
  const file = path.join(dir, "openapi.json");
  try {
    await writeFile(file, JSON.stringify(document, null, 2));
    return await new Promise((resolve) => {
      execFile(
        process.execPath,
        [cli, "lint", "--format=json", "--config", path.join(repoRoot, "redocly.yaml"), file],
        { cwd: repoRoot, env: { ...process.env, REDOCLY_TELEMETRY: "off", NO_COLOR: "1" }, timeout: 60_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
