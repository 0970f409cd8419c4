import { spawn } from "node:child_process";

/**
 * One tunnel-guard tick as the guard runs it (cloudflared/tunnel-guard.sh: the connector's state,
 * then curl into a temp file, cat, rm, then sleep), repeated by bash. $1 = health URL, $2 = interval,
 * $3 = probe timeout, $4 = ticks, $5 = the connector's state URL.
 */
const TICKS_SCRIPT = `
for ((i = 0; i < $4; i++)); do
  state="$(bash -c "curl -fsS --max-time 5 $5" 2>/dev/null)" || true
  out="$(mktemp)"
  curl -s -o /dev/null -w '%{http_code}' --max-time "$3" "$1" >"$out" 2>/dev/null || true
  code="$(cat "$out")"
  rm -f "$out"
  sleep "$2"
done`;

/**
 * How long one guard tick takes on this machine right now, in ms. Idle, it is about the interval;
 * on a loaded machine the forks of each probe add to it, and the guard's detection window grows
 * with it. Drills measure it under their own load and scale their bounds by it (same-run
 * calibration) instead of assuming an idle machine.
 */
export async function measureGuardTickMs(
  urls: { health: string; connectorState: string },
  settings: { intervalS: number; healthTimeoutS: number },
  ticks = 8,
): Promise<number> {
  const started = performance.now();
  const args = [
    urls.health,
    String(settings.intervalS),
    String(settings.healthTimeoutS),
    String(ticks),
    urls.connectorState,
  ];
  const child = spawn("bash", ["-c", TICKS_SCRIPT, "guard-clock", ...args], { stdio: "ignore" });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", resolve);
  });
  if (code !== 0) throw new Error(`guard clock calibration exited with ${code}`);
  return (performance.now() - started) / ticks;
}

/** How much slower than nominal the guard's clock runs now (1 on an idle machine, never less). */
export function guardSlowdown(tickMs: number, intervalS: number): number {
  return Math.max(1, tickMs / (intervalS * 1000));
}
