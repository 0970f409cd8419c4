import path from "node:path";

/** One API build/configuration that `bench/compare.ts` runs beside the others. */
export interface Variant {
  label: string;
  /** The backend's dist directory (its `main.js` is started). */
  dist: string;
  env: Record<string, string>;
  nodeArgs: string[];
}

const LABEL = /^[a-z0-9][a-z0-9_.-]*$/i;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * Parses `label[,dist=DIR][,NAME=value...][,--node-flag...]`: a build (default: the current one),
 * environment overrides and extra node/V8 flags, e.g. `pool6,DATABASE_POOL_MAX=6` or
 * `old,dist=/tmp/old/backend/dist` or `grow,--heap-growing-percent=100`.
 */
export function parseVariant(spec: string, defaultDist: string): Variant {
  const [label = "", ...parts] = spec.split(",");
  if (!LABEL.test(label)) throw new Error(`variant "${spec}": the label must be letters, digits, "_", "." or "-"`);
  const variant: Variant = { label, dist: defaultDist, env: {}, nodeArgs: [] };
  for (const part of parts) {
    if (part.startsWith("--")) {
      variant.nodeArgs.push(part);
      continue;
    }
    const eq = part.indexOf("=");
    const name = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (eq <= 0) throw new Error(`variant "${spec}": "${part}" is neither NAME=value, dist=DIR nor --flag`);
    if (name === "dist") variant.dist = path.resolve(value);
    else if (ENV_NAME.test(name)) variant.env[name] = value;
    else throw new Error(`variant "${spec}": "${name}" is not an environment variable name`);
  }
  return variant;
}

/** Parses every spec; labels must be unique. */
export function parseVariants(specs: string[], defaultDist: string): Variant[] {
  const variants = specs.map((spec) => parseVariant(spec, defaultDist));
  const seen = new Set<string>();
  for (const { label } of variants) {
    if (seen.has(label)) throw new Error(`variant label "${label}" is used twice`);
    seen.add(label);
  }
  return variants;
}

/** The windows of round `round`, every variant once; odd rounds run in reverse so none always goes first. */
export function roundOrder(count: number, round: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  return round % 2 === 1 ? order.reverse() : order;
}

export function median(values: number[]): number {
  if (values.length === 0) throw new Error("median of nothing");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
