// Every date the UI shows goes through these two, in the browser's locale and time zone: an instant
// with its time (sessions, notes, check-ins, invite expiry) or a day (target dates, "joined", chart axes).
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

/** An API timestamp (ISO 8601, UTC) as the user's local date and time. */
export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/**
 * The day of an API timestamp, or a calendar date ("2027-03-31"). A calendar date is a day, not an
 * instant: it is read in local time so it never shifts a day.
 */
export function formatDate(value: string): string {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (day) return dateOnly.format(new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
  return dateOnly.format(new Date(value));
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/** Value for <input type="datetime-local"> in the browser's time zone. */
export function toLocalInput(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
