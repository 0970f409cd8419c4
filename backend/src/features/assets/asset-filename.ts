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

/** The extensions a file of each accepted type may carry (asset-schemas.ts); the first is the canonical one. */
const EXTENSIONS: Record<string, string[]> = {
  "application/pdf": ["pdf"],
  "image/png": ["png"],
  "image/jpeg": ["jpg", "jpeg"],
  "image/webp": ["webp"],
  "image/heic": ["heic"],
  "audio/mpeg": ["mp3"],
  "audio/mp4": ["m4a", "mp4"],
  "video/mp4": ["mp4", "m4v"],
  "text/plain": ["txt"],
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ["docx"],
};

/**
 * The download name: the stored name with the extension of the verified content type. A file
 * declared as application/pdf named `x.exe` downloads as `x.pdf`, so no operating system runs it
 * by its name; a name without an extension gets one.
 */
export function withExtensionOf(filename: string, contentType: string): string {
  const allowed = EXTENSIONS[contentType];
  if (!allowed) return filename;
  const dot = filename.lastIndexOf(".");
  const ext = dot > 0 ? filename.slice(dot + 1).toLowerCase() : "";
  if (allowed.includes(ext)) return filename;
  const base = dot > 0 ? filename.slice(0, dot) : filename;
  return `${base}.${allowed[0]}`;
}
