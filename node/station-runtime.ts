/**
 * How the station process is started, the same under Electron (utilityProcess.fork) and the browser
 * host (child_process.fork).
 *
 * `--max-semi-space-size=4` (MB): V8's default young generation grows to 3 × 16 MB and keeps that memory
 * once a burst of allocation (a first roster sync of 5,000 students with their portraits) has grown it.
 * Measured here with the reference server on loopback: first sync peak RSS 196 MB by default, 158 MB
 * with 4 MB (1 and 2 MB: 154–157 MB), no slower (docs/architecture.md, "Figures": ≤ 200 MB with 5,000 students).
 */
export const STATION_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=4'];
