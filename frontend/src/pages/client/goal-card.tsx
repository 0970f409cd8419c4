import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import {
  type CheckInInput,
  createCheckIn,
  type Goal,
  type GoalStatus,
  listCheckIns,
  updateGoal,
} from "../../api/goals-api.ts";
import { FormAlert } from "../../components/form-alert.tsx";
import { ProgressChart } from "../../components/progress-chart.tsx";
import { ErrorState, LoadingState } from "../../components/states.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { TextField } from "../../components/text-field.tsx";
import { formatDate, formatDateTime } from "../../format.ts";

/** One goal: its progress chart, the check-in form (coach and client) and the coach's status control. */
export function GoalCard({ goal, isCoach }: { goal: Goal; isCoach: boolean }) {
  const queryClient = useQueryClient();
  const [progress, setProgress] = useState("50");
  const [comment, setComment] = useState("");
  const statusId = useId();
  const checkIns = useQuery({ queryKey: ["check-ins", goal.id], queryFn: () => listCheckIns(goal.id) });
  const checkIn = useMutation({
    mutationFn: (input: CheckInInput) => createCheckIn(goal.id, input),
    onSuccess: (_checkIn, input) => {
      setComment((current) => (current.trim() === (input.comment ?? "") ? "" : current));
      void queryClient.invalidateQueries({ queryKey: ["check-ins", goal.id] });
    },
  });
  const setStatus = useMutation({
    mutationFn: (status: GoalStatus) => updateGoal(goal.id, { status }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["goals", goal.clientId] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    checkIn.mutate({ progress: Number(progress), comment: comment.trim() || null });
  };
  const items = checkIns.data?.items ?? [];
  const latest = items[0];

  return (
    <article className="goal" aria-labelledby={`goal-${goal.id}`}>
      <div className="page-header">
        <div>
          <h3 id={`goal-${goal.id}`}>{goal.title}</h3>
          <div className="muted">
            {goal.targetDate ? `Target ${formatDate(goal.targetDate)}` : "No target date"}
            {latest ? ` · latest ${latest.progress}%` : ""}
          </div>
        </div>
        {isCoach ? (
          <div className="field field-inline">
            <label htmlFor={statusId}>Status</label>
            <select
              id={statusId}
              value={goal.status}
              onChange={(e) => setStatus.mutate(e.target.value as GoalStatus)}
              disabled={setStatus.isPending}
            >
              <option value="active">Active</option>
              <option value="achieved">Achieved</option>
              <option value="dropped">Dropped</option>
            </select>
          </div>
        ) : (
          <StatusBadge value={goal.status} />
        )}
      </div>
      <FormAlert error={setStatus.error} />
      {checkIns.isPending ? (
        <LoadingState label="Loading check-ins…" />
      ) : checkIns.isError ? (
        <ErrorState error={checkIns.error} onRetry={() => void checkIns.refetch()} />
      ) : items.length === 0 ? (
        <p className="muted">No check-ins yet. Record the first one below.</p>
      ) : (
        <>
          <ProgressChart checkIns={items} />
          {latest?.comment && (
            <p className="muted">
              “{latest.comment}” — {formatDateTime(latest.createdAt)}
            </p>
          )}
        </>
      )}
      {goal.status === "active" && (
        <form onSubmit={submit} noValidate aria-label={`Check in on ${goal.title}`}>
          <FormAlert error={checkIn.error} knownFields={["progress", "comment"]} />
          <div className="form-row">
            <TextField
              label="Progress (%)"
              name="progress"
              type="number"
              min={0}
              max={100}
              required
              value={progress}
              onChange={(e) => setProgress(e.target.value)}
              error={checkIn.error}
            />
            <TextField
              label="Comment (optional)"
              name="comment"
              maxLength={2000}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              error={checkIn.error}
            />
          </div>
          <button type="submit" className="button button-secondary" disabled={checkIn.isPending}>
            {checkIn.isPending ? "Saving…" : "Record check-in"}
          </button>
        </form>
      )}
    </article>
  );
}
