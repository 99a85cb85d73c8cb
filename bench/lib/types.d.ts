/**
 * The shapes the driver (bench/run.mjs) and the benchmark processes share: the result line a
 * process prints, a case of the suite, the per-case summary, a figure of the bar, a whole run.
 * Type declarations only (bench/tsconfig.json checks the .mjs files against them).
 */

/** What a process reports so that implementations of the same work can be compared (rows, characters, NULLs, bytes…). */
export type Check = Readonly<Record<string, number | string | null>> | null;

/** Labels a process attaches to its result (e.g. which API of a client it used). */
export type Info = Readonly<Record<string, string>>;

/** The JSON of the one `BENCH_RESULT {json}` line a benchmark process prints. */
export interface ProcessResult {
  readonly name: string;
  /** Why the case cannot run: a part of our library that has not landed yet, a missing tool. */
  readonly unavailable?: string;
  readonly error?: string;
  /** The last lines of the process's stderr, when it failed. */
  readonly stderr?: string;
  readonly check?: Check;
  readonly info?: Info;
  /** Measured values: a number per process, or one per timed run (run.mjs takes their median). */
  readonly [metric: string]: unknown;
}

/** One timed run of a micro benchmark: its checksum and, when it times only part of its work, its own figure. */
export interface Timed {
  readonly check: Check;
  readonly selfMs?: number;
}

/** Numeric metrics of a case, by name (ms, cpu, qps, bytes, peakMB …). */
export type Metrics = Readonly<Record<string, number>>;

/** Which part of the suite a case belongs to (also a word `--only` matches). */
export type Group = 'decode' | 'encode' | 'e2e';

/** One case of the suite: a script run in a fresh process with arguments, several times. */
export interface Case {
  readonly group: Group;
  /** `stream:impl:level`, `work:impl` or `workload:client`: the `--case` argument of the script. */
  readonly name: string;
  /** Path of the script relative to bench/. */
  readonly script: string;
  readonly args: readonly string[];
  /** Fresh processes per case (the median is taken over them). */
  readonly runs: number;
  readonly timeoutMs: number;
  readonly needsServer: boolean;
  /** Extra `node` flags for this case's processes. */
  readonly nodeFlags?: readonly string[];
  /** One line for the progress log from a process's metrics. */
  readonly describe: (metrics: Metrics) => string;
}

/** Sizes and repetitions of a full run or a quick (CI smoke) run. */
export interface Sizes {
  readonly decodeRows: Readonly<Record<StreamName, number>>;
  readonly decode: Repeats;
  readonly encodeCount: Readonly<Record<EncodeWork, number>>;
  readonly encode: Repeats;
  readonly selectRows: number;
  readonly pipelineCount: number;
  readonly rssRows: number;
  readonly e2e: Repeats;
  readonly connectRuns: number;
}

/** Processes per case, timed runs per process and untimed runs before them. */
export interface Repeats {
  readonly runs: number;
  readonly iters: number;
  readonly warmup: number;
}

/** The synthetic backend streams of bench/micro/streams.mjs. */
export type StreamName = 'rows5' | 'rows5_utf8' | 'text1k' | 'cols40' | 'binary7';

/** The encode workloads of bench/micro/encode.mjs. */
export type EncodeWork = 'bind' | 'chain' | 'copy';

/** The runs of one case combined: per metric, the median over processes and its min–max. */
export interface Summary {
  readonly name: string;
  readonly group: Group;
  /** Processes that produced a result. */
  readonly runs: number;
  readonly metrics: Metrics;
  readonly spread: Readonly<Record<string, readonly [number, number]>>;
  readonly check?: Check;
  readonly info?: Info;
  readonly unavailable?: string;
  readonly error?: string;
  /** Runs that failed while others of the case succeeded (left out of the medians). */
  readonly failedRuns?: readonly string[];
}

/** Summaries by case name. */
export type Summaries = Readonly<Record<string, Summary>>;

/** A figure of PERFORMANCE.md's bar, evaluated on one run. */
export interface Figure {
  readonly id: string;
  readonly label: string;
  /** How the figure is computed, for RESULTS.md. */
  readonly how: string;
  /** The measured value, null when a case it needs did not produce one. */
  readonly value: number | null;
  readonly display: string;
  readonly bar: number;
  readonly op: '≥' | '≤';
  readonly unit: string;
  readonly barText: string;
  readonly status: 'met' | 'not met' | 'not available yet';
  /** Why the value is missing. */
  readonly reason?: string;
  /** The value relative to the bar, ≥ 1 when met (drives the chart); null when missing. */
  readonly norm: number | null;
}

/** What a run records about itself. */
export interface RunMeta {
  readonly date: string;
  readonly durationS: number;
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memGiB: number;
  readonly os: string;
  readonly postgres: string | null;
  readonly commit: string;
  /** Server crashes and restarts, with the server log's tail. */
  readonly incidents: readonly string[];
  /** 1-minute load average at the start and at the end. */
  readonly load: readonly number[];
  readonly mode: 'quick' | 'full';
  readonly only: readonly string[];
  readonly sizes: Sizes;
  /** Cases re-measured later with `--merge` (their figures replace this run's). */
  readonly updates?: readonly RunUpdate[];
}

/** A later run whose cases were merged into a results file (run.mjs --merge). */
export interface RunUpdate {
  readonly date: string;
  readonly commit: string;
  readonly load: readonly number[];
  readonly cases: readonly string[];
}

/** A whole run: what results.json holds and what RESULTS.md and results.svg are rendered from. */
export interface RunData {
  readonly meta: RunMeta;
  readonly figures: readonly Figure[];
  readonly summaries: Summaries;
  readonly raw: Readonly<Record<string, readonly ProcessResult[]>>;
}

/** Where the server of the end-to-end cases is (run.mjs passes it to every e2e process in BENCH_PG). */
export interface ServerFacts {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly socketDir: string;
  readonly version: string;
  /** A server-side file holding `COPY w1 TO` output (the COPY FROM floor and the COPY in payload). */
  readonly copyFile: string;
  readonly tls: boolean;
  /** The test CA the server certificate is signed with (PEM). */
  readonly ca: string | null;
}

/** One measured run of an end-to-end case: its metrics (ms, cpu, qps, bytes …) and its checksum. */
export interface E2eRun {
  readonly check: Check;
  readonly [metric: string]: number | Check;
}

/** What an e2e script's implementation sets up for its process: the measured run and its surroundings. */
export interface E2eSession {
  /** One measured run. */
  readonly run: () => Promise<E2eRun>;
  /** A shorter warm-up run (JIT, statement caches), not measured; default `run`. */
  readonly warm?: () => unknown;
  readonly close?: () => unknown;
  readonly info?: Info;
  /** The measurement exists once per process (a first connection, a peak RSS): no warm-up, one run. */
  readonly once?: boolean;
}

/** One timed run of a micro case, set up once per process outside the timed part. */
export type Run = () => Timed;
