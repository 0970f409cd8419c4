const TONE: Record<string, string> = {
  active: "badge-green",
  scheduled: "badge-green",
  achieved: "badge-green",
  shared: "badge-amber",
  completed: "",
  archived: "",
  private: "",
  pending: "badge-amber",
  failed: "badge-red",
  cancelled: "badge-red",
  no_show: "badge-red",
  dropped: "badge-red",
};

export function StatusBadge({ value }: { value: string }) {
  return <span className={`badge ${TONE[value] ?? ""}`}>{value.replace("_", " ")}</span>;
}
