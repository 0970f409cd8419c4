import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface PingRecorder {
  url: string;
  /** Request paths received so far, in order. */
  paths: string[];
  stop(): Promise<void>;
}

/** A dead-man's-switch stand-in (like healthchecks.io): answers 200 and records every path. */
export async function startPingRecorder(): Promise<PingRecorder> {
  const paths: string[] = [];
  const server = createServer((request, response) => {
    paths.push(request.url ?? "");
    response.end("OK");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
