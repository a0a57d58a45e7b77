/** Small helpers for benchmarks: percentiles over samples, a fixed-width table. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export function table(rows: Record<string, string | number>[]): void {
  console.table(rows);
}
