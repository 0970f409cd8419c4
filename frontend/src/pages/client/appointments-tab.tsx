import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { appointmentKeys } from "../../api/appointment-keys.ts";
import {
  type Appointment,
  type AppointmentChanges,
  type AppointmentStatus,
  createAppointment,
  listAppointments,
  updateAppointment,
} from "../../api/appointments-api.ts";
import { AppointmentForm } from "../../components/appointment-form.tsx";
import { AppointmentList } from "../../components/appointment-list.tsx";
import { ConfirmDialog } from "../../components/confirm-dialog.tsx";
import { FormAlert } from "../../components/form-alert.tsx";
import { EmptyState, ErrorState, LoadingState } from "../../components/states.tsx";
import { formatDateTime } from "../../format.ts";

export function AppointmentsTab({ clientId, isCoach }: { clientId: string; isCoach: boolean }) {
  const queryClient = useQueryClient();
  const [scheduling, setScheduling] = useState(false);
  const [rescheduling, setRescheduling] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState<Appointment | null>(null);
  const appointments = useQuery({
    queryKey: appointmentKeys.list({ clientId }),
    queryFn: () => listAppointments({ clientId, limit: "100" }),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: appointmentKeys.lists() });
  const create = useMutation({
    mutationFn: createAppointment,
    onSuccess: () => {
      setScheduling(false);
      void refresh();
    },
  });
  const update = useMutation({
    mutationFn: ({ id, changes }: { id: string; changes: AppointmentChanges }) => updateAppointment(id, changes),
    onSuccess: () => {
      setRescheduling(null);
      setCancelling(null);
      void refresh();
    },
  });
  const setStatus = (a: Appointment, status: AppointmentStatus) => {
    update.reset();
    update.mutate({ id: a.id, changes: { status } });
  };
  const items = [...(appointments.data?.items ?? [])].sort((a, b) => b.startsAt.localeCompare(a.startsAt));

  return (
    <>
      {isCoach &&
        (scheduling ? (
          <section className="section-bottom" aria-labelledby="schedule-heading">
            <h2 id="schedule-heading">Schedule a session</h2>
            <AppointmentForm
              submitLabel="Schedule"
              busy={create.isPending}
              error={create.error}
              onSubmit={(value) => create.mutate({ clientId, ...value })}
              onCancel={() => {
                setScheduling(false);
                create.reset();
              }}
            />
          </section>
        ) : (
          <div className="row section-bottom">
            <button type="button" className="button" onClick={() => setScheduling(true)}>
              Schedule a session
            </button>
          </div>
        ))}
      {appointments.isPending ? (
        <LoadingState label="Loading appointments…" />
      ) : appointments.isError ? (
        <ErrorState error={appointments.error} onRetry={() => void appointments.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No appointments yet" />
      ) : (
        <AppointmentList
          items={items}
          showClient={false}
          actions={
            isCoach
              ? (a) =>
                  a.status === "cancelled" ? null : (
                    <div className="row">
                      {a.status === "scheduled" && new Date(a.startsAt).getTime() <= Date.now() && (
                        <>
                          <button
                            type="button"
                            className="button button-small"
                            onClick={() => setStatus(a, "completed")}
                            disabled={update.isPending}
                            aria-label={`Mark session of ${formatDateTime(a.startsAt)} completed`}
                          >
                            Completed
                          </button>
                          <button
                            type="button"
                            className="button button-secondary button-small"
                            onClick={() => setStatus(a, "no_show")}
                            disabled={update.isPending}
                            aria-label={`Mark session of ${formatDateTime(a.startsAt)} as no-show`}
                          >
                            No-show
                          </button>
                        </>
                      )}
                      {a.status === "scheduled" && (
                        <>
                          <button
                            type="button"
                            className="button button-secondary button-small"
                            onClick={() => {
                              update.reset();
                              setRescheduling(a.id);
                            }}
                            aria-label={`Reschedule session of ${formatDateTime(a.startsAt)}`}
                          >
                            Reschedule
                          </button>
                          <button
                            type="button"
                            className="button button-secondary button-small"
                            onClick={() => {
                              update.reset();
                              setCancelling(a);
                            }}
                            aria-label={`Cancel session of ${formatDateTime(a.startsAt)}`}
                          >
                            Cancel session
                          </button>
                        </>
                      )}
                      {(a.status === "completed" || a.status === "no_show") && (
                        <button
                          type="button"
                          className="button button-secondary button-small"
                          onClick={() => setStatus(a, "scheduled")}
                          disabled={update.isPending}
                          aria-label={`Undo: mark session of ${formatDateTime(a.startsAt)} as scheduled again`}
                        >
                          Undo
                        </button>
                      )}
                      {rescheduling === a.id && (
                        <div className="reschedule">
                          <AppointmentForm
                            initial={a}
                            submitLabel="Save new time"
                            busy={update.isPending}
                            error={update.error}
                            onSubmit={(value) => update.mutate({ id: a.id, changes: value })}
                            onCancel={() => {
                              setRescheduling(null);
                              update.reset();
                            }}
                          />
                        </div>
                      )}
                    </div>
                  )
              : undefined
          }
        />
      )}
      {!rescheduling && !cancelling && <FormAlert error={update.error} />}
      <ConfirmDialog
        open={cancelling !== null}
        title="Cancel this session?"
        message="The client will see it as cancelled. The time becomes free for other sessions."
        confirmLabel="Yes, cancel it"
        busy={update.isPending}
        error={cancelling ? update.error : undefined}
        onConfirm={() => cancelling && update.mutate({ id: cancelling.id, changes: { status: "cancelled" } })}
        onCancel={() => setCancelling(null)}
      />
    </>
  );
}
