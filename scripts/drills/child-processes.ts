import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";

/** A child process the drills started, with its recent output kept for error messages. */
export interface TrackedChild {
  name: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
  /** Sends the signal and waits for the exit, escalating to SIGKILL after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
}

const running = new Set<TrackedChild>();
const OUTPUT_LIMIT = 20_000;

// Last line of defence: if the test process ends without afterAll (crash, worker exit), no drill
// process may outlive it. An exit handler can only do synchronous work, hence SIGKILL.
process.once("exit", () => {
  for (const tracked of running) tracked.child.kill("SIGKILL");
});

/** Spawns a process that is killed with the test process whatever happens. */
export function spawnTracked(name: string, command: string, args: string[], options: SpawnOptions = {}): TrackedChild {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (error) => {
      keep(Buffer.from(`spawn failed: ${error.message}\n`));
      resolve({ code: null, signal: null });
    });
  });
  const isRunning = () => child.exitCode === null && child.signalCode === null && child.pid !== undefined;
  const tracked: TrackedChild = {
    name,
    child,
    output: () => output,
    exited,
    isRunning,
    async stop(signal = "SIGTERM", timeoutMs = 10_000) {
      if (isRunning()) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      running.delete(tracked);
    },
  };
  running.add(tracked);
  void exited.then(() => running.delete(tracked));
  return tracked;
}

/** Stops every process still running (afterAll). */
export async function stopAllTracked(): Promise<void> {
  await Promise.all([...running].map((tracked) => tracked.stop("SIGKILL", 2_000)));
}
