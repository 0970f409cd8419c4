import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { ApiError } from "../../api/api-error.ts";
import { createNote, deleteNote, listNotes, type NoteInput, type NoteVisibility } from "../../api/notes-api.ts";
import { FormAlert } from "../../components/form-alert.tsx";
import { EmptyState, ErrorState, LoadingState } from "../../components/states.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { formatDateTime } from "../../format.ts";

export function NotesTab({ clientId, isCoach }: { clientId: string; isCoach: boolean }) {
  const queryClient = useQueryClient();
  const [body, setBody] = useState("");
  const [visibility, setVisibility] = useState<NoteVisibility>("private");
  const bodyId = useId();
  const notes = useQuery({ queryKey: ["notes", clientId], queryFn: () => listNotes(clientId) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["notes", clientId] });
  const create = useMutation({
    mutationFn: (input: NoteInput) => createNote(clientId, input),
    onSuccess: (_note, input) => {
      // Only clear what was saved: the user may already be typing the next note.
      setBody((current) => (current === input.body ? "" : current));
      void refresh();
    },
  });
  const remove = useMutation({ mutationFn: deleteNote, onSuccess: () => void refresh() });
  const bodyError = create.error instanceof ApiError ? create.error.fieldMessage("body") : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ body, visibility });
  };
  const items = notes.data?.items ?? [];
  return (
    <>
      {isCoach && (
        <form onSubmit={submit} noValidate className="section-bottom" aria-label="Add a note">
          <FormAlert error={create.error} knownFields={["body"]} />
          <div className="field">
            <label htmlFor={bodyId}>New note</label>
            <textarea
              id={bodyId}
              value={body}
              onChange={(e) => setBody(e.target.value)}
              aria-invalid={bodyError ? true : undefined}
              maxLength={20000}
            />
            {bodyError && <span className="field-error">{bodyError}</span>}
          </div>
          <fieldset className="field fieldset">
            <legend className="field-label">Who can see it</legend>
            <label className="choice">
              <input
                type="radio"
                name="visibility"
                value="private"
                checked={visibility === "private"}
                onChange={() => setVisibility("private")}
              />
              Private — only you
            </label>
            <label className="choice">
              <input
                type="radio"
                name="visibility"
                value="shared"
                checked={visibility === "shared"}
                onChange={() => setVisibility("shared")}
              />
              Shared with the client
            </label>
          </fieldset>
          <button type="submit" className="button" disabled={create.isPending}>
            {create.isPending ? "Saving…" : "Add note"}
          </button>
        </form>
      )}
      {notes.isPending ? (
        <LoadingState label="Loading notes…" />
      ) : notes.isError ? (
        <ErrorState error={notes.error} onRetry={() => void notes.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={isCoach ? "No notes yet" : "No shared notes yet"} />
      ) : (
        <ul className="list" aria-label="Notes">
          {items.map((n) => (
            <li key={n.id} className="list-item" data-testid="note">
              <div className="list-item-main">
                <p className="note-body">{n.body}</p>
                <div className="muted">{formatDateTime(n.createdAt)}</div>
              </div>
              <StatusBadge value={n.visibility} />
              {isCoach && (
                <button
                  type="button"
                  className="button button-secondary button-small"
                  onClick={() => remove.mutate(n.id)}
                  disabled={remove.isPending}
                  aria-label={`Delete note from ${formatDateTime(n.createdAt)}`}
                >
                  Delete
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <FormAlert error={remove.error} />
    </>
  );
}
