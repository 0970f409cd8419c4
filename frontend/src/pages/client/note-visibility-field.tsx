import { useId } from "react";
import type { NoteVisibility } from "../../api/notes-api.ts";

/** Private/shared radios; the group name is unique so an edit form can sit next to the add form. */
export function NoteVisibilityField({
  value,
  onChange,
}: {
  value: NoteVisibility;
  onChange: (value: NoteVisibility) => void;
}) {
  const name = useId();
  return (
    <fieldset className="field fieldset">
      <legend className="field-label">Who can see it</legend>
      <label className="choice">
        <input
          type="radio"
          name={name}
          value="private"
          checked={value === "private"}
          onChange={() => onChange("private")}
        />
        Private — only you
      </label>
      <label className="choice">
        <input
          type="radio"
          name={name}
          value="shared"
          checked={value === "shared"}
          onChange={() => onChange("shared")}
        />
        Shared with the client
      </label>
    </fieldset>
  );
}
