import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { appointmentKeys } from "../api/appointment-keys.ts";
import { listAppointments } from "../api/appointments-api.ts";
import { useMe } from "../auth/use-me.ts";
import { AppointmentList } from "../components/appointment-list.tsx";
import { EmptyState, ErrorState, LoadingState } from "../components/states.tsx";

function startOfToday(): Date {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}

export function DashboardPage() {
  const me = useMe();
  const from = startOfToday();
  const tomorrow = new Date(from.getTime() + 24 * 60 * 60 * 1000);
  const filters = { from: from.toISOString() };
  const appointments = useQuery({
    queryKey: appointmentKeys.list(filters),
    queryFn: () => listAppointments({ ...filters, limit: "100" }),
  });
  const items = [...(appointments.data?.items ?? [])]
    .filter((a) => a.status === "scheduled")
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  const today = items.filter((a) => new Date(a.startsAt) < tomorrow);
  const upcoming = items.filter((a) => new Date(a.startsAt) >= tomorrow);

  return (
    <>
      <div className="page-header">
        <h1>Welcome, {me.data?.name}</h1>
        <Link className="button" to="/clients">
          Your clients
        </Link>
      </div>
      {appointments.isPending ? (
        <div className="card">
          <LoadingState label="Loading your appointments…" />
        </div>
      ) : appointments.isError ? (
        <div className="card">
          <ErrorState error={appointments.error} onRetry={() => void appointments.refetch()} />
        </div>
      ) : (
        <div className="grid-2">
          <section className="card" aria-labelledby="today-heading">
            <h2 id="today-heading">Today</h2>
            {today.length === 0 ? (
              <EmptyState title="Nothing scheduled today">
                Enjoy the quiet, or schedule a session from a client page.
              </EmptyState>
            ) : (
              <AppointmentList items={today} />
            )}
          </section>
          <section className="card" aria-labelledby="upcoming-heading">
            <h2 id="upcoming-heading">Upcoming</h2>
            {upcoming.length === 0 ? (
              <EmptyState title="No upcoming appointments" />
            ) : (
              <AppointmentList items={upcoming} />
            )}
          </section>
        </div>
      )}
    </>
  );
}
