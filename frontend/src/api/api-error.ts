export interface FieldIssue {
  path: string;
  message: string;
}

/** An error answer of the API (`{"error":{code,message,details}}`), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldIssue[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The message the API gave for one field (`path` as the API names it, e.g. "email"). */
  fieldMessage(path: string): string | undefined {
    return this.details.find((issue) => issue.path === path)?.message;
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

/** Reads the contract's error body; falls back to a generic message when the body is not ours. */
export async function toApiError(response: { status: number; json(): Promise<unknown> }): Promise<ApiError> {
  const body = (await response.json().catch(() => ({}))) as ErrorBody;
  const error = body.error ?? {};
  const code = typeof error.code === "string" ? error.code : `http_${response.status}`;
  const message = typeof error.message === "string" ? error.message : `The request failed (${response.status}).`;
  const details = Array.isArray(error.details)
    ? error.details.filter((d): d is FieldIssue => typeof d === "object" && d !== null && "path" in d && "message" in d)
    : [];
  return new ApiError(response.status, code, message, details);
}

/** A fetch that turns "the server could not be reached" into an ApiError the UI can show. */
export async function fetchOrThrow(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(input, init);
  } catch {
    throw new ApiError(0, "network_error", "Could not reach the server. Check your connection and try again.");
  }
}

/** Human text for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}
