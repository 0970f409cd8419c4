import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { noteKeys } from "../../api/note-keys.ts";
import { type Note, type NoteChanges, type NoteVisibility, updateNote } from "../../api/notes-api.ts";
import { FormAlert } from "../../components/form-alert.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { TextField } from "../../components/text-field.tsx";
import { formatDateTime } from "../../format.ts";
import { NoteVisibilityField } from "./note-visibility-field.tsx";

/** One note; the coach can edit its text and visibility in place, or ask to delete it. */
export function NoteItem({
  note,
  isCoach,
  onDelete,
}: {
  note: Note;
  isCoach: boolean;
  onDelete: (note: Note) => void;
}) {
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [body, setBody] = useState(note.body);
  const [visibility, setVisibility] = useState<NoteVisibility>(note.visibility);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const update = useMutation({
    mutationFn: (changes: NoteChanges) => updateNote(note.id, changes),
    onSuccess: () => {
      setEditing(false);
      void queryClient.invalidateQueries({ queryKey: noteKeys.list(note.clientId) });
    },
  });
  const when = formatDateTime(note.createdAt);
  // Names the note for screen readers and tests: two notes of the same minute stay distinguishable.
  const snippet = note.body.length > 40 ? `${note.body.slice(0, 40)}…` : note.body;
  const edited = note.updatedAt !== note.createdAt;

  // Focus follows the user: into the text when editing starts, back to "Edit" when it ends.
  const wasEditing = useRef(false);
  useEffect(() => {
    if (editing) textarea.current?.focus();
    else if (wasEditing.current) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  const start = () => {
    setBody(note.body);
    setVisibility(note.visibility);
    update.reset();
    setEditing(true);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const changes: NoteChanges = {};
    if (body !== note.body) changes.body = body;
    if (visibility !== note.visibility) changes.visibility = visibility;
    if (Object.keys(changes).length === 0) setEditing(false);
    else update.mutate(changes);
  };

  if (editing) {
    return (
      <li className="list-item list-item-editing" data-testid="note">
        <form onSubmit={submit} noValidate className="list-item-main" aria-label={`Edit note: ${snippet}`}>
          <FormAlert error={update.error} knownFields={["body"]} />
          <TextField
            multiline
            ref={textarea}
            label="Note text"
            name="body"
            maxLength={20000}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            error={update.error}
          />
          <NoteVisibilityField value={visibility} onChange={setVisibility} />
          <div className="row">
            <button type="submit" className="button" disabled={update.isPending}>
              {update.isPending ? "Saving…" : "Save note"}
            </button>
            <button type="button" className="button button-secondary" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      </li>
    );
  }
  return (
    <li className="list-item" data-testid="note">
      <div className="list-item-main">
        <p className="note-body">{note.body}</p>
        <div className="muted">
          {when}
          {edited ? ` · edited ${formatDateTime(note.updatedAt)}` : ""}
        </div>
      </div>
      <StatusBadge value={note.visibility} />
      {isCoach && (
        <div className="row">
          <button
            ref={editButton}
            type="button"
            className="button button-secondary button-small"
            onClick={start}
            aria-label={`Edit note: ${snippet}`}
          >
            Edit
          </button>
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => onDelete(note)}
            aria-label={`Delete note: ${snippet}`}
          >
            Delete
          </button>
        </div>
      )}
    </li>
  );
}
