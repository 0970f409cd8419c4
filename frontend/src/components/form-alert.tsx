import { ApiError, errorMessage } from "../api/api-error.ts";

/**
 * The error of a form submit. Field messages render beside their inputs, so only the fields the
 * form does not show (`knownFields`) are listed here, under the API's sentence.
 */
export function FormAlert({ error, knownFields = [] }: { error: unknown; knownFields?: string[] }) {
  if (!error) return null;
  const others = error instanceof ApiError ? error.details.filter((d) => !knownFields.includes(d.path)) : [];
  return (
    <div className="alert alert-error" role="alert">
      {errorMessage(error)}
      {others.length > 0 && (
        <ul>
          {others.map((d) => (
            <li key={`${d.path}:${d.message}`}>
              {d.path}: {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
