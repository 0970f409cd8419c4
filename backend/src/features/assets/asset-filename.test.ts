import { describe, expect, it } from "vitest";
import { attachmentDisposition, sanitizeFilename } from "./asset-filename.ts";

describe("sanitizeFilename", () => {
  it("keeps only the last path segment", () => {
    expect(sanitizeFilename("../../etc/passwd")).toBe("passwd");
    expect(sanitizeFilename("C:\\Users\\ada\\plan.pdf")).toBe("plan.pdf");
  });

  it("drops control and bidi override characters and collapses whitespace", () => {
    expect(sanitizeFilename("a\u0000b\r\n  c\u202Egpj.exe")).toBe("ab cgpj.exe");
  });

  it("falls back to 'file' when nothing printable is left", () => {
    expect(sanitizeFilename("..")).toBe("file");
    expect(sanitizeFilename("/\u0007/")).toBe("file");
  });

  it("cuts at 255 characters without splitting a character", () => {
    expect([...sanitizeFilename("😀".repeat(300))]).toHaveLength(255);
  });
});

describe("attachmentDisposition", () => {
  it("gives an ASCII fallback and the exact UTF-8 name", () => {
    expect(attachmentDisposition('Übung "1" (neu).pdf')).toBe(
      `attachment; filename="Ubung _1_ (neu).pdf"; filename*=UTF-8''%C3%9Cbung%20%221%22%20%28neu%29.pdf`,
    );
  });

  it("replaces what has no ASCII form", () => {
    expect(attachmentDisposition("日記.txt")).toBe(
      `attachment; filename="__.txt"; filename*=UTF-8''%E6%97%A5%E8%A8%98.txt`,
    );
  });
});
