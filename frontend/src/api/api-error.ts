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

const NETWORK_MESSAGE = "Could not reach the server. Check your connection and try again.";

/** "The server could not be reached", as an ApiError the UI can show. */
export function networkError(): ApiError {
  return new ApiError(0, "network_error", NETWORK_MESSAGE);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isFieldIssue(value: unknown): value is FieldIssue {
  return isRecord(value) && typeof value.path === "string" && typeof value.message === "string";
}

/**
 * The contract's error body (already parsed) as an ApiError; a body that is not ours (a proxy's
 * HTML page, an empty 502) gets a generic message with the status.
 */
export function toApiError(status: number, body: unknown): ApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : {};
  const code = typeof error.code === "string" ? error.code : `http_${status}`;
  const message = typeof error.message === "string" ? error.message : `The request failed (${status}).`;
  const details = Array.isArray(error.details) ? error.details.filter(isFieldIssue) : [];
  return new ApiError(status, code, message, details);
}

/** A fetch that turns "the server could not be reached" into an ApiError the UI can show. */
export async function fetchOrThrow(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(input, init);
  } catch {
    throw networkError();
  }
}

/** Human text for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}
