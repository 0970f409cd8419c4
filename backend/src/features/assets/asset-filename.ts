const MAX_FILENAME_LENGTH = 255;

// C0/C1 controls and the bidi overrides that make "gpj.exe" display as "exe.jpg".
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The display name stored for an upload: the last path segment, NFC, without control or bidi
 * characters, whitespace collapsed, at most 255 characters. Never used as an object key.
 */
export function sanitizeFilename(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? "";
  const clean = base.normalize("NFC").replace(UNSAFE_CHARACTERS, "").replace(/\s+/g, " ").trim();
  const name = clean === "" || clean === "." || clean === ".." ? "file" : clean;
  return [...name].slice(0, MAX_FILENAME_LENGTH).join("");
}

/** RFC 5987 value: percent-encoding of the UTF-8 bytes, including the characters encodeURIComponent keeps. */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `attachment` with an ASCII fallback and the exact UTF-8 name (RFC 6266): a download never renders
 * inline on the storage origin, whatever the file contains.
 */
export function attachmentDisposition(filename: string): string {
  const ascii =
    filename
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^\x20-\x7e]/g, "_")
      .replace(/["\\]/g, "_") || "file";
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc5987(filename)}`;
}
