import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { noteKeys } from "../../api/note-keys.ts";
import {
  createNote,
  deleteNote,
  listNotes,
  type Note,
  type NoteInput,
  type NoteVisibility,
} from "../../api/notes-api.ts";
import { ConfirmDialog } from "../../components/confirm-dialog.tsx";
import { FormAlert } from "../../components/form-alert.tsx";
import { EmptyState, ErrorState, LoadingState } from "../../components/states.tsx";
import { TextField } from "../../components/text-field.tsx";
import { NoteItem } from "./note-item.tsx";
import { NoteVisibilityField } from "./note-visibility-field.tsx";

export function NotesTab({ clientId, isCoach }: { clientId: string; isCoach: boolean }) {
  const queryClient = useQueryClient();
  const [body, setBody] = useState("");
  const [visibility, setVisibility] = useState<NoteVisibility>("private");
  const [deleting, setDeleting] = useState<Note | null>(null);
  const notes = useQuery({ queryKey: noteKeys.list(clientId), queryFn: () => listNotes(clientId) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: noteKeys.list(clientId) });
  const create = useMutation({
    mutationFn: (input: NoteInput) => createNote(clientId, input),
    onSuccess: (_note, input) => {
      // Only clear what was saved: the user may already be typing the next note.
      setBody((current) => (current === input.body ? "" : current));
      // Sharing is a choice per note: the next one starts private again, so nothing is shared by habit.
      setVisibility("private");
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: deleteNote,
    onSuccess: () => {
      setDeleting(null);
      void refresh();
    },
  });

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
          <TextField
            multiline
            label="New note"
            name="body"
            maxLength={20000}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            error={create.error}
          />
          <NoteVisibilityField value={visibility} onChange={setVisibility} />
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
            <NoteItem
              key={n.id}
              note={n}
              isCoach={isCoach}
              onDelete={(note) => {
                remove.reset();
                setDeleting(note);
              }}
            />
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this note?"
        message={
          deleting?.visibility === "shared"
            ? "The client will no longer see it. It cannot be undone."
            : "It cannot be undone."
        }
        confirmLabel="Delete note"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
        onCancel={() => setDeleting(null)}
      />
    </>
  );
}
