import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { goalKeys } from "../../api/goal-keys.ts";
import {
  type CheckInInput,
  createCheckIn,
  type Goal,
  type GoalChanges,
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

/** The coach's in-place edit of a goal's title and target date (status has its own control). */
function GoalEditForm({ goal, onDone }: { goal: Goal; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [title, setTitle] = useState(goal.title);
  const [targetDate, setTargetDate] = useState(goal.targetDate ?? "");
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => form.current?.querySelector("input")?.focus(), []);
  const update = useMutation({
    mutationFn: (changes: GoalChanges) => updateGoal(goal.id, changes),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: goalKeys.lists() });
      onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const changes: GoalChanges = {};
    if (title.trim() !== goal.title) changes.title = title;
    if ((targetDate || null) !== goal.targetDate) changes.targetDate = targetDate || null;
    if (Object.keys(changes).length === 0) onDone();
    else update.mutate(changes);
  };
  return (
    <form ref={form} onSubmit={submit} noValidate className="section-bottom" aria-label={`Edit goal ${goal.title}`}>
      <FormAlert error={update.error} knownFields={["title", "targetDate"]} />
      <div className="form-row">
        <TextField
          label="Goal title"
          name="title"
          required
          maxLength={200}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          error={update.error}
        />
        <TextField
          label="Target date (optional)"
          name="targetDate"
          type="date"
          value={targetDate}
          onChange={(e) => setTargetDate(e.target.value)}
          error={update.error}
          hint="Clear it to remove the target date."
        />
      </div>
      <div className="row">
        <button type="submit" className="button" disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save goal"}
        </button>
        <button type="button" className="button button-secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** One goal: its progress chart, the check-in form (coach and client) and the coach's controls. */
export function GoalCard({ goal, isCoach, heading }: { goal: Goal; isCoach: boolean; heading?: string }) {
  const queryClient = useQueryClient();
  const [progress, setProgress] = useState("50");
  const [comment, setComment] = useState("");
  const statusId = useId();
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const stopEditing = () => {
    setEditing(false);
    // Back to where the user started, not to the top of the page.
    requestAnimationFrame(() => editButton.current?.focus());
  };
  const checkIns = useQuery({ queryKey: goalKeys.checkIns(goal.id), queryFn: () => listCheckIns(goal.id) });
  const checkIn = useMutation({
    mutationFn: (input: CheckInInput) => createCheckIn(goal.id, input),
    onSuccess: (_checkIn, input) => {
      setComment((current) => (current.trim() === (input.comment ?? "") ? "" : current));
      void queryClient.invalidateQueries({ queryKey: goalKeys.checkIns(goal.id) });
    },
  });
  const setStatus = useMutation({
    mutationFn: (status: GoalStatus) => updateGoal(goal.id, { status }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: goalKeys.lists() }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    checkIn.mutate({ progress: Number(progress), comment: comment.trim() || null });
  };
  const items = checkIns.data?.items ?? [];
  const latest = items[0];

  return (
    <article className="goal" aria-label={goal.title}>
      {heading && <div className="muted goal-context">{heading}</div>}
      {editing ? (
        <GoalEditForm goal={goal} onDone={stopEditing} />
      ) : (
        <div className="page-header">
          <div>
            <h3 id={`goal-${goal.id}`}>{goal.title}</h3>
            <div className="muted">
              {goal.targetDate ? `Target ${formatDate(goal.targetDate)}` : "No target date"}
              {latest ? ` · latest ${latest.progress}%` : ""}
            </div>
          </div>
          {isCoach ? (
            <div className="row goal-controls">
              <button
                ref={editButton}
                type="button"
                className="button button-secondary"
                onClick={() => setEditing(true)}
                aria-label={`Edit goal ${goal.title}`}
              >
                Edit
              </button>
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
            </div>
          ) : (
            <StatusBadge value={goal.status} />
          )}
        </div>
      )}
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
          <div className="row">
            <button type="submit" className="button button-secondary" disabled={checkIn.isPending}>
              {checkIn.isPending ? "Saving…" : "Record check-in"}
            </button>
            <span className="muted" role="status">
              {checkIn.isSuccess ? `Check-in saved: ${checkIn.variables.progress}%.` : ""}
            </span>
          </div>
        </form>
      )}
    </article>
  );
}
