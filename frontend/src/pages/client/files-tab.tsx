import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useRef, useState } from "react";
import { assetKeys } from "../../api/asset-keys.ts";
import {
  ACCEPTED_TYPES,
  type Asset,
  type AssetVisibility,
  deleteAsset,
  getAsset,
  listAssets,
  uploadAsset,
} from "../../api/assets-api.ts";
import { useMe } from "../../auth/use-me.ts";
import { ConfirmDialog } from "../../components/confirm-dialog.tsx";
import { FormAlert } from "../../components/form-alert.tsx";
import { EmptyState, ErrorState, LoadingState } from "../../components/states.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { formatBytes } from "../../format.ts";

export function FilesTab({ clientId, isCoach }: { clientId: string; isCoach: boolean }) {
  const queryClient = useQueryClient();
  const fileId = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [visibility, setVisibility] = useState<AssetVisibility>(isCoach ? "private" : "shared");
  const [progress, setProgress] = useState<number | null>(null);
  const [deleting, setDeleting] = useState<Asset | null>(null);
  const me = useMe();
  const assets = useQuery({ queryKey: assetKeys.list(clientId), queryFn: () => listAssets(clientId) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: assetKeys.list(clientId) });
  const upload = useMutation({
    mutationFn: (file: File) => uploadAsset({ clientId, file, visibility }, setProgress),
    // The bar shows from the click, while the upload is being registered, not only once bytes move.
    onMutate: () => setProgress(0),
    onSuccess: () => {
      if (fileInput.current) fileInput.current.value = "";
      void refresh();
    },
    onSettled: () => setProgress(null),
  });
  const remove = useMutation({
    mutationFn: deleteAsset,
    onSuccess: () => {
      setDeleting(null);
      void refresh();
    },
  });
  // The API lets the coach delete any file and a client user only what they uploaded themselves.
  const canDelete = (asset: Asset) => isCoach || asset.uploaderId === me.data?.id;
  const download = useMutation({
    mutationFn: getAsset,
    onSuccess: (asset) => {
      // The signed URL lives for minutes only, so it is fetched on click rather than rendered up front.
      if (asset.downloadUrl) window.location.assign(asset.downloadUrl);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const file = fileInput.current?.files?.[0];
    if (file) upload.mutate(file);
  };
  const items = assets.data?.items ?? [];
  const percent = progress === null ? 0 : Math.round(progress * 100);
  return (
    <>
      <form onSubmit={submit} className="section-bottom" aria-label="Upload a file">
        <FormAlert error={upload.error} />
        <div className="form-row">
          <div className="field">
            <label htmlFor={fileId}>File</label>
            <input id={fileId} ref={fileInput} type="file" accept={ACCEPTED_TYPES} required />
          </div>
          {isCoach && (
            <fieldset className="field fieldset">
              <legend className="field-label">Who can see it</legend>
              <label className="choice">
                <input
                  type="radio"
                  name="file-visibility"
                  checked={visibility === "private"}
                  onChange={() => setVisibility("private")}
                />
                Private
              </label>
              <label className="choice">
                <input
                  type="radio"
                  name="file-visibility"
                  checked={visibility === "shared"}
                  onChange={() => setVisibility("shared")}
                />
                Shared with the client
              </label>
            </fieldset>
          )}
        </div>
        {progress !== null && (
          <div className="field">
            <span className="field-label">Uploading… {percent}%</span>
            <div
              className="progress"
              role="progressbar"
              aria-label="Upload progress"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={percent}
            >
              <div className="progress-bar" style={{ width: `${percent}%` }} />
            </div>
          </div>
        )}
        <button type="submit" className="button" disabled={upload.isPending}>
          {upload.isPending ? "Uploading…" : "Upload"}
        </button>
      </form>
      {assets.isPending ? (
        <LoadingState label="Loading files…" />
      ) : assets.isError ? (
        <ErrorState error={assets.error} onRetry={() => void assets.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No files yet" />
      ) : (
        <ul className="list" aria-label="Files">
          {items.map((a) => (
            <li key={a.id} className="list-item" data-testid="asset">
              <div className="list-item-main">
                <div className="list-item-title">{a.filename}</div>
                <div className="muted">
                  {formatBytes(a.size)} · {a.contentType}
                </div>
              </div>
              <StatusBadge value={a.status === "ready" ? a.visibility : a.status} />
              <div className="row">
                <button
                  type="button"
                  className="button button-secondary button-small"
                  onClick={() => download.mutate(a.id)}
                  disabled={a.status !== "ready"}
                  aria-label={`Download ${a.filename}`}
                >
                  Download
                </button>
                {canDelete(a) && (
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    onClick={() => {
                      remove.reset();
                      setDeleting(a);
                    }}
                    aria-label={`Delete ${a.filename}`}
                  >
                    Delete
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      <FormAlert error={download.error} />
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.filename ?? "this file"}?`}
        message={
          deleting?.visibility === "shared"
            ? "The file is removed from storage and the client can no longer download it. It cannot be undone."
            : "The file is removed from storage. It cannot be undone."
        }
        confirmLabel="Delete file"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
        onCancel={() => setDeleting(null)}
      />
    </>
  );
}
