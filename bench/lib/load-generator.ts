import { Worker } from "node:worker_threads";
import type { LoadOptions, LoadResult } from "./load.ts";
import type { RawQueryOptions, RawQueryResult } from "./raw-postgres.ts";
import type { BenchUser } from "./seed.ts";
import type { PathRotation, ScenarioName } from "./traffic.ts";

/** What the bench asks of the load thread (see load-worker.ts); everything in it is cloneable. */
export type LoadJob =
  | { kind: "load"; scenario: ScenarioName | PathRotation; options: Omit<LoadOptions, "next" | "ok"> }
  | { kind: "raw"; options: RawQueryOptions };

export type LoadReply = { id: number; result: LoadResult | RawQueryResult } | { id: number; error: string };

/**
 * The load generator and the data-path floor run in a worker thread: a V8 isolate with its own small
 * heap and event loop. In the bench's main thread (seeded users, Postgres clients, tsx) scavenges
 * of 10–15 ms paused the clock of every request in flight and counted as the API's latency; a
 * separate process, as a load-testing tool normally is, would do the same, at the cost of a spawn.
 * The thread keeps one `Traffic` for its lifetime, so the mixed scenario's booking slots and the
 * users' turns carry on from one scenario to the next.
 */
export class LoadGenerator {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor(users: BenchUser[]) {
    this.worker = new Worker(new URL("./load-worker.ts", import.meta.url), { workerData: { users } });
    this.worker.on("message", (reply: LoadReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ("error" in reply) waiting?.reject(new Error(`load thread: ${reply.error}`));
      else waiting?.resolve(reply.result);
    });
    const failAll = (error: Error) => {
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    this.worker.on("error", failAll);
    this.worker.on("exit", (code) => failAll(new Error(`the load thread exited (code ${code}) with a job pending`)));
  }

  /** A named scenario (or path rotation) of `Traffic`, as `runLoad` runs it. */
  load(scenario: ScenarioName | PathRotation, options: Omit<LoadOptions, "next" | "ok">): Promise<LoadResult> {
    return this.run({ kind: "load", scenario, options }) as Promise<LoadResult>;
  }

  /** The raw postgres.js loop of `runRawQueryLoop`. */
  rawQueries(options: RawQueryOptions): Promise<RawQueryResult> {
    return this.run({ kind: "raw", options }) as Promise<RawQueryResult>;
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners("exit");
    await this.worker.terminate();
  }

  private run(job: LoadJob): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, job });
    });
  }
}
