// The load thread of `LoadGenerator` (load-generator.ts): runs one job at a time and answers it.
import { parentPort, workerData } from "node:worker_threads";
import { runLoad } from "./load.ts";
import type { LoadJob, LoadReply } from "./load-generator.ts";
import { runRawQueryLoop } from "./raw-postgres.ts";
import type { BenchUser } from "./seed.ts";
import { Traffic } from "./traffic.ts";

const port = parentPort;
if (!port) throw new Error("load-worker.ts runs as a worker thread (see LoadGenerator)");
const traffic = new Traffic((workerData as { users: BenchUser[] }).users);

port.on("message", async ({ id, job }: { id: number; job: LoadJob }) => {
  let reply: LoadReply;
  try {
    const result =
      job.kind === "load"
        ? await runLoad({ ...job.options, next: traffic.scenario(job.scenario) })
        : await runRawQueryLoop(job.options);
    reply = { id, result };
  } catch (error) {
    reply = { id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(reply);
});
