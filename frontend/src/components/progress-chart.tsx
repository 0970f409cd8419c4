import type { CheckIn } from "../api/goals-api.ts";
import { formatDate } from "../format.ts";

const WIDTH = 480;
const HEIGHT = 160;
const PAD = { left: 40, right: 12, top: 12, bottom: 24 };

/** Progress (0–100) over time as an SVG line: no chart library for one small chart. */
export function ProgressChart({ checkIns }: { checkIns: CheckIn[] }) {
  const points = [...checkIns].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  if (points.length === 0) return null;
  const first = new Date(points[0]?.createdAt ?? 0).getTime();
  const last = new Date(points.at(-1)?.createdAt ?? 0).getTime();
  const span = Math.max(last - first, 1);
  const x = (iso: string, i: number) =>
    PAD.left +
    (points.length === 1 ? 0.5 : last === first ? i / (points.length - 1) : (new Date(iso).getTime() - first) / span) *
      (WIDTH - PAD.left - PAD.right);
  const y = (progress: number) => PAD.top + (1 - progress / 100) * (HEIGHT - PAD.top - PAD.bottom);
  const path = points
    .map((p, i) => `${i === 0 ? "M" : "L"}${x(p.createdAt, i).toFixed(1)},${y(p.progress).toFixed(1)}`)
    .join(" ");
  const latest = points.at(-1);
  return (
    <figure className="chart-figure">
      <svg
        className="chart"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Progress chart, latest ${latest?.progress ?? 0}%`}
      >
        {[0, 50, 100].map((v) => (
          <g key={v}>
            <line className="chart-grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(v)} y2={y(v)} />
            <text className="chart-label" x={PAD.left - 6} y={y(v) + 4} textAnchor="end">
              {v}%
            </text>
          </g>
        ))}
        <path className="chart-line" d={path} />
        {points.map((p, i) => (
          <circle key={p.id} className="chart-dot" cx={x(p.createdAt, i)} cy={y(p.progress)} r={4} />
        ))}
        <text className="chart-label" x={PAD.left} y={HEIGHT - 6}>
          {formatDate(points[0]?.createdAt ?? "")}
        </text>
        {points.length > 1 && (
          <text className="chart-label" x={WIDTH - PAD.right} y={HEIGHT - 6} textAnchor="end">
            {formatDate(latest?.createdAt ?? "")}
          </text>
        )}
      </svg>
    </figure>
  );
}
