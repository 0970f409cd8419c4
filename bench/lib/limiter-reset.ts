import { connect, type Socket } from "node:net";

// The same script as `resetRateLimits` (stack.ts): delete every rate-limit counter of the API.
const RESET_SCRIPT = "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 1";

/** A command in Redis' wire protocol (RESP): an array of bulk strings. */
function encode(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
}

/**
 * Resets the API's rate-limit counters every `everyMs` over one Redis connection, for as long as a
 * scenario runs. The scale scenario sends all its requests as one user, at thousands per second:
 * with the limit of 600/min per user, the 2-second reset of the other scenarios (a redis-cli spawn
 * each time) would let the limiter answer 429 within a fraction of a second. Spawning redis-cli
 * every 100 ms would cost the shared CPU more than this socket does.
 *
 * Both commands this sends (AUTH, EVAL of a script returning 1) answer with one line, so each
 * reply is one line; anything but `+OK`/`:1` fails the next `stop()`.
 */
export async function resetLimitsContinuously(redisUrl: string, everyMs: number) {
  const url = new URL(redisUrl);
  const socket: Socket = connect({ host: url.hostname, port: Number(url.port) });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let failure: string | undefined;
  let buffered = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split("\r\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) if (line !== "+OK" && line !== ":1") failure ??= line;
  });
  socket.on("error", (error) => {
    failure ??= String(error);
  });
  if (url.password) socket.write(encode(["AUTH", decodeURIComponent(url.password)]));
  const reset = () => socket.write(encode(["EVAL", RESET_SCRIPT, "0", "coaching:rl:*"]));
  reset();
  const timer = setInterval(reset, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await new Promise<void>((resolve) => socket.end(resolve));
      if (failure) throw new Error(`resetting rate limits failed: ${failure}`);
    },
  };
}
