import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger({ level: "info", destination }), lines };
}

describe("logger redaction", () => {
  it("replaces secrets at the top level of a line", () => {
    const { logger, lines } = capture();
    logger.info({ authorization: "Bearer abc", password: "hunter22", token: "t", "set-cookie": "s=1", ok: 1 });
    expect(lines[0]).toMatchObject({
      authorization: "[redacted]",
      password: "[redacted]",
      token: "[redacted]",
      "set-cookie": "[redacted]",
      ok: 1,
    });
  });

  it("replaces secrets an error carries, one and two levels down", () => {
    const { logger, lines } = capture();
    const err = Object.assign(new Error("boom"), {
      token: "t1",
      config: { password: "pw", host: "db" },
      request: { headers: { authorization: "Bearer abc", cookie: "c=1", "set-cookie": "s=1", accept: "*/*" } },
    });
    logger.error({ err }, "failed");
    const logged = JSON.stringify(lines[0]);
    for (const secret of ["t1", '"pw"', "Bearer abc", "c=1", "s=1"]) expect(logged).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      err: {
        message: "boom",
        token: "[redacted]",
        config: { password: "[redacted]", host: "db" },
        request: { headers: { authorization: "[redacted]", accept: "*/*" } },
      },
    });
  });

  it("leaves the caller's object untouched", () => {
    const { logger } = capture();
    const line = { password: "hunter22" };
    logger.info(line);
    expect(line.password).toBe("hunter22");
  });
});
