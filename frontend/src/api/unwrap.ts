import { type ClientResponse, DetailedError, parseResponse } from "hono/client";
import { ApiError, networkError, toApiError } from "./api-error.ts";

/** What `parseResponse` resolves to for this response type: the success bodies AppType declares. */
type Parsed<R extends ClientResponse<unknown>> = ReturnType<typeof parseResponse<R>>;

/**
 * The body of a typed client call, or an ApiError. hono's `parseResponse` reads the body by its
 * content type (JSON, else text; nothing for 204) and throws a `DetailedError` carrying the parsed
 * body for a non-2xx status; that body is the contract's `{"error":{code,message,details}}`.
 */
export function unwrap<R extends ClientResponse<unknown>>(call: Promise<R>): Parsed<R> {
  // A network failure is not caught here: it already is an ApiError (status 0) from fetchOrThrow.
  return call.then((response) =>
    parseResponse(response).catch((error: unknown) => {
      throw failure(response, error);
    }),
  );
}

function failure(response: ClientResponse<unknown>, error: unknown): ApiError {
  if (!response.ok) return toApiError(response.status, errorBody(error));
  // A 2xx whose body could not be read: cut off mid-way, or not the JSON its content type promised.
  if (error instanceof SyntaxError) {
    return new ApiError(response.status, "invalid_response", "The server sent an answer the app could not read.");
  }
  return networkError();
}

/** The parsed error body; undefined when reading it failed (a JSON content type with a broken body). */
function errorBody(error: unknown): unknown {
  if (!(error instanceof DetailedError)) return undefined;
  const detail: unknown = error.detail;
  return typeof detail === "object" && detail !== null && "data" in detail ? detail.data : undefined;
}
