import { describe, expect, it } from "vitest";
import { z } from "zod";
import { friendlyMessage } from "./validation.ts";

const messageFor = (schema: z.ZodType, input: unknown) => {
  const result = schema.safeParse(input);
  if (result.success) throw new Error("expected a validation error");
  return friendlyMessage(result.error.issues[0] as z.core.$ZodIssue);
};

describe("friendlyMessage", () => {
  it.each([
    ["a missing field", z.object({ name: z.string() }), {}, "Required."],
    ["an empty string", z.string().min(1), "", "Required."],
    ["a long string", z.string().max(5), "toolong", "Use at most 5 characters."],
    ["a small number", z.number().min(15), 3, "Must be at least 15."],
    ["a big number", z.number().max(480), 500, "Must be at most 480."],
    ["a bad email", z.email(), "nope", "Enter a valid email address."],
    ["a bad date", z.iso.date(), "31/12/2026", "Use a date like 2026-12-01."],
    ["an unknown enum value", z.enum(["private", "shared"]), "public", "Use one of: private, shared."],
    ["a wrong type", z.number(), "12", "Expected number."],
  ])("phrases %s for people", (_name, schema, input, expected) => {
    expect(messageFor(schema, input)).toBe(expected);
  });
});
