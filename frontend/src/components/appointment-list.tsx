import type { Appointment } from "../api/appointments-api.ts";
import { formatDateTime } from "../format.ts";
import { StatusBadge } from "./status-badge.tsx";

/** Read-only list of appointments; `actions` renders per-row buttons for coaches. */
export function AppointmentList({
  items,
  showClient = true,
  actions,
}: {
  items: Appointment[];
  showClient?: boolean;
  actions?: (appointment: Appointment) => React.ReactNode;
}) {
  return (
    <ul className="list">
      {items.map((a) => (
        <li key={a.id} className="list-item" data-testid="appointment">
          <div className="list-item-main">
            <div className="list-item-title">
              {formatDateTime(a.startsAt)} · {a.durationMinutes} min
            </div>
            <div className="muted">
              {showClient ? a.clientName : null}
              {showClient && a.location ? " · " : null}
              {a.location}
            </div>
          </div>
          <StatusBadge value={a.status} />
          {actions?.(a)}
        </li>
      ))}
    </ul>
  );
}
