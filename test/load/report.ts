/**
 * The load test report, in the seed report's format (load-test-report-2025-12-02.txt), from the summary
 * the locustfile writes at the end of a run. Pure functions: the runner and the smoke test use them.
 */

export interface EndpointStats {
  method: string;
  name: string;
  requests: number;
  failures: number;
  avgMs: number;
  minMs: number;
  maxMs: number;
  medianMs: number;
  p95Ms: number;
  p99Ms: number;
  avgBytes: number;
  rps: number;
}

export interface LocustSummary {
  exitCode: number;
  startTime: number;
  lastRequestTime: number | null;
  total: EndpointStats;
  /** Every request but the logins. */
  api: EndpointStats;
  endpoints: EndpointStats[];
  errors: Array<{ method: string; name: string; error: string; occurrences: number }>;
  cpuWarning: boolean;
  writes: boolean;
  /** seed (the seed's mix) or a write scenario: drop, sweep, trade. */
  scenario?: string;
  /** Write scenarios: every answer to their requests, by endpoint, status and error code. */
  answers?: Answer[];
  drop?: DropTally;
}

export interface Answer {
  method: string;
  name: string;
  status: number;
  /** The error body's `error.code` ("SOLD_OUT"), or "" for a success. */
  code: string;
  count: number;
}

/** The drop's sales as the users saw them: epoch seconds, and 2xx answers per second after the start. */
export interface DropTally {
  presaleId: string;
  supply?: number | null;
  startsAt: number;
  firstSaleAt: number | null;
  lastSaleAt: number | null;
  salesBySecond: Record<string, number>;
}

export interface RunDescription {
  date: string;
  target: string;
  targetNote: string;
  /** The public read cache during the run (a local target). */
  readCache?: string;
  users: number;
  spawnRate: number;
  durationSeconds: number;
  /** Seconds of the same scenario run first and not counted. */
  warmupSeconds?: number;
  thinkTime: string;
  locustProcesses: string;
  /** The scenario and what its setup made (write scenarios). */
  scenario?: string;
  setup?: string;
}

export interface Thresholds {
  /** Percent of API requests. */
  maxFailureRate?: number | undefined;
  maxP95Ms?: number | undefined;
  /** Most 5xx answers plus connection errors allowed (the runner's default: 0). */
  maxServerErrors?: number | undefined;
}

export interface ThresholdVerdict {
  name: string;
  limit: string;
  measured: string;
  passed: boolean;
}

export interface ResourceUsage {
  /** Percent of one core, averaged over the run; null when not measured (remote target). */
  locust: number | null;
  api: number | null;
  dynamoDbLocal: number | null;
  otherProcesses: number | null;
  machineBusy: number | null;
  cores: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number } | null;
  gcPauseMs: { total: number; max: number; count: number } | null;
}

export const isLogin = (stats: Pick<EndpointStats, 'name'>) => stats.name.endsWith('(login)');

const n = (value: number) => Math.round(value).toLocaleString('en-US');
const pct = (part: number, whole: number) => (whole === 0 ? 0 : (100 * part) / whole);

export type ErrorKind = 'connection' | 'application' | 'other';

/** The seed report's grouping: connection errors (by exception) and application errors (by HTTP status). */
export function classifyError(error: string): { kind: ErrorKind; label: string } {
  const http = /^HTTP (\d{3})/.exec(error);
  if (http) return { kind: 'application', label: `${http[1]} ${statusText(Number(http[1]))}` };
  const exception = /^([A-Za-z_][\w.]*)\(/.exec(error)?.[1] ?? error.split(':')[0]!.trim();
  if (/Connection|Disconnected|BrokenPipe|Timeout|timed out|socket|Refused|Reset|Aborted|EOF|gaierror|HTTPParseError/i.test(error)) {
    return { kind: 'connection', label: exception };
  }
  return { kind: 'other', label: exception || error };
}

function statusText(status: number): string {
  const known: Record<number, string> = {
    400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
    409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests',
    500: 'Server Errors', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
  };
  return known[status] ?? (status >= 500 ? 'Server Errors' : 'Client Errors');
}

export function checkThresholds(summary: LocustSummary, thresholds: Thresholds): ThresholdVerdict[] {
  const verdicts: ThresholdVerdict[] = [];
  const failureRate = pct(summary.api.failures, summary.api.requests);
  if (thresholds.maxFailureRate !== undefined) {
    verdicts.push({
      name: 'failure rate', limit: `<= ${thresholds.maxFailureRate}%`, measured: `${failureRate.toFixed(2)}%`,
      passed: summary.api.requests > 0 && failureRate <= thresholds.maxFailureRate,
    });
  }
  if (thresholds.maxP95Ms !== undefined) {
    verdicts.push({
      name: 'p95 response time', limit: `<= ${thresholds.maxP95Ms} ms`, measured: `${summary.api.p95Ms} ms`,
      passed: summary.api.requests > 0 && summary.api.p95Ms <= thresholds.maxP95Ms,
    });
  }
  if (thresholds.maxServerErrors !== undefined) {
    const { serverErrors, connectionErrors } = serverAndConnectionErrors(summary);
    verdicts.push({
      name: '5xx and connection errors', limit: `<= ${thresholds.maxServerErrors}`,
      measured: `${serverErrors} 5xx, ${connectionErrors} connection errors`,
      passed: summary.api.requests > 0 && serverErrors + connectionErrors <= thresholds.maxServerErrors,
    });
  }
  const drop = dropOutcome(summary);
  if (drop?.supply != null) {
    verdicts.push({ name: 'drop: sold within supply', limit: `<= ${n(drop.supply)}`, measured: n(drop.sold), passed: drop.sold <= drop.supply });
  }
  return verdicts;
}

/** 5xx answers (by status) and connection errors (by exception): both must be 0 in a healthy run. */
export function serverAndConnectionErrors(summary: LocustSummary): { serverErrors: number; connectionErrors: number } {
  let serverErrors = 0;
  let connectionErrors = 0;
  for (const e of summary.errors) {
    const { kind, label } = classifyError(e.error);
    if (kind === 'connection') connectionErrors += e.occurrences;
    else if (kind === 'application' && label.startsWith('5')) serverErrors += e.occurrences;
  }
  return { serverErrors, connectionErrors };
}

/** 409s by error code, with the endpoints that answered each: answers of the marketplace, not failures. */
export function conflictsByCode(answers: Answer[]): Array<{ code: string; count: number; endpoints: Array<{ name: string; count: number }> }> {
  const byCode = new Map<string, Array<{ name: string; count: number }>>();
  for (const a of answers.filter((x) => x.status === 409)) {
    const code = a.code || '(no code)';
    byCode.set(code, [...(byCode.get(code) ?? []), { name: `${a.method} ${a.name}`, count: a.count }]);
  }
  return [...byCode].map(([code, endpoints]) => ({ code, count: endpoints.reduce((sum, e) => sum + e.count, 0), endpoints }))
    .sort((a, b) => b.count - a.count);
}

export interface DropOutcome {
  presaleId: string;
  supply: number | null;
  /** 2xx answers to the purchase. */
  sold: number;
  soldOut: number;
  /** Every other answer to the purchase, e.g. "429" or "409 WALLET_LIMIT". */
  others: Array<{ answer: string; count: number }>;
  /** Seconds from the start to the last sale, and the sales over them. */
  saleSeconds: number | null;
  mintsPerSecond: number | null;
  peak: { second: number; sales: number } | null;
}

/** The drop's outcome from the purchase's answers ("... (drop)") and the sale times. */
export function dropOutcome(summary: LocustSummary): DropOutcome | null {
  const drop = summary.drop;
  if (!drop) return null;
  const purchase = (summary.answers ?? []).filter((a) => a.name.endsWith('(drop)'));
  const sold = purchase.filter((a) => a.status >= 200 && a.status < 300).reduce((sum, a) => sum + a.count, 0);
  const soldOut = purchase.filter((a) => a.status === 409 && a.code === 'SOLD_OUT').reduce((sum, a) => sum + a.count, 0);
  const others = purchase.filter((a) => !(a.status >= 200 && a.status < 300) && !(a.status === 409 && a.code === 'SOLD_OUT'))
    .map((a) => ({ answer: `${a.status}${a.code ? ` ${a.code}` : ''}`, count: a.count }));
  const saleSeconds = drop.lastSaleAt === null ? null : Math.max(drop.lastSaleAt - drop.startsAt, 0.001);
  const peakEntry = Object.entries(drop.salesBySecond).sort((a, b) => b[1] - a[1])[0];
  return {
    presaleId: drop.presaleId, supply: drop.supply ?? null, sold, soldOut, others, saleSeconds,
    mintsPerSecond: saleSeconds === null ? null : sold / Math.max(saleSeconds, 1),
    peak: peakEntry ? { second: Number(peakEntry[0]), sales: peakEntry[1] } : null,
  };
}

function table(headers: string[], rows: string[][], rightAligned: (i: number) => boolean): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (rightAligned(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export function endpointTable(endpoints: EndpointStats[]): string[] {
  const rows = [...endpoints]
    .sort((a, b) => b.requests - a.requests)
    .map((e) => [
      `${e.method} ${e.name}`, n(e.requests), n(e.failures), `${pct(e.failures, e.requests).toFixed(2)}%`, e.rps.toFixed(1),
      n(e.avgMs), n(e.medianMs), n(e.p95Ms), n(e.p99Ms), n(e.maxMs),
    ]);
  return table(['endpoint', 'requests', 'failures', 'fail %', 'RPS', 'avg ms', 'median', 'p95', 'p99', 'max'], rows, (i) => i > 0);
}

export function formatReport(
  summary: LocustSummary, run: RunDescription, verdicts: ThresholdVerdict[], resources: ResourceUsage | null,
): string {
  const api = summary.api;
  const out: string[] = [];
  const title = `LOAD TEST RESULTS - ${n(run.users)} Concurrent Users`;
  out.push(title, '='.repeat(64));
  out.push(`Test Date: ${run.date}`);
  out.push(`Target: ${run.target}${run.targetNote ? ` (${run.targetNote})` : ''}`);
  if (run.readCache) out.push(`Public read cache: ${run.readCache}`);
  const measured = summary.lastRequestTime ? summary.lastRequestTime - summary.startTime : 0;
  out.push(`Duration: ${run.durationSeconds} s (requests over ${measured.toFixed(1)} s)${run.warmupSeconds ? `, after a ${run.warmupSeconds} s warm-up run (not counted)` : ''}`);
  out.push(`Users: ${n(run.users)} concurrent`);
  out.push(`Spawn Rate: ${run.spawnRate} users/second`);
  out.push(`Think Time: ${run.thinkTime}`);
  out.push(`Locust: ${run.locustProcesses}${summary.writes ? ', write traffic on' : ''}`);
  if (run.scenario && run.scenario !== 'seed') out.push(`Scenario: ${run.scenario}${run.setup ? ` (${run.setup})` : ''}`);
  out.push('');
  out.push('OVERALL PERFORMANCE', '-------------------');
  out.push(`Total Requests: ${n(api.requests)}  (API requests; plus ${n(summary.total.requests - api.requests)} logins, listed below)`);
  out.push(`Total Failures: ${n(api.failures)} (${pct(api.failures, api.requests).toFixed(2)}%)`);
  out.push(`Success Rate: ${(100 - pct(api.failures, api.requests)).toFixed(2)}%`);
  out.push(`Requests/Second: ${api.rps.toFixed(2)} RPS`);
  out.push('');
  out.push('RESPONSE TIMES', '--------------');
  out.push(`Average: ${n(api.avgMs)}ms`);
  out.push(`Median: ${n(api.medianMs)}ms`);
  out.push(`95th Percentile: ${n(api.p95Ms)}ms`);
  out.push(`99th Percentile: ${n(api.p99Ms)}ms`);
  out.push(`Max: ${n(api.maxMs)}ms`);
  out.push('');
  out.push('ERROR BREAKDOWN', '---------------');
  const allFailures = summary.errors.reduce((sum, e) => sum + e.occurrences, 0);
  if (allFailures === 0) {
    out.push('No failures.');
  } else {
    for (const kind of ['connection', 'application', 'other'] as const) {
      const ofKind = summary.errors.filter((e) => classifyError(e.error).kind === kind);
      const count = ofKind.reduce((sum, e) => sum + e.occurrences, 0);
      if (count === 0) continue;
      const heading = { connection: 'Connection Errors', application: 'Application Errors', other: 'Other Errors' }[kind];
      out.push(`${heading}: ${n(count)} (${pct(count, allFailures).toFixed(1)}% of failures)`);
      const byLabel = new Map<string, typeof ofKind>();
      for (const e of ofKind) {
        const label = classifyError(e.error).label;
        byLabel.set(label, [...(byLabel.get(label) ?? []), e]);
      }
      for (const [label, entries] of [...byLabel].sort((a, b) => total(b[1]) - total(a[1]))) {
        out.push(`- ${label}: ${n(total(entries))}`);
        for (const e of entries.sort((a, b) => b.occurrences - a.occurrences)) {
          out.push(`  * ${e.method} ${e.name}: ${n(e.occurrences)} failures`);
        }
      }
    }
  }
  const { serverErrors, connectionErrors } = serverAndConnectionErrors(summary);
  out.push('', `5xx answers: ${n(serverErrors)}; connection errors: ${n(connectionErrors)} (both must be 0)`);
  if (summary.answers?.length) out.push('', ...answerSections(summary));
  out.push('');
  out.push('ENDPOINTS', '---------');
  out.push(...endpointTable(summary.endpoints));
  if (verdicts.length > 0) {
    out.push('', 'THRESHOLDS', '----------');
    for (const v of verdicts) out.push(`${v.passed ? 'PASS' : 'FAIL'}  ${v.name}: ${v.measured} (limit ${v.limit})`);
  }
  if (resources) {
    out.push('', 'RESOURCES (this machine, % of one core, averaged over the run)', '-----------------------------------------------------------------');
    const p = (v: number | null) => (v === null ? 'n/a' : `${Math.round(v)}%`);
    out.push(`Cores: ${resources.cores}; busy ${p(resources.machineBusy)} of ${resources.cores * 100}%`);
    out.push(`Locust: ${p(resources.locust)}  API (Node, gateway + handlers): ${p(resources.api)}  DynamoDB Local (Java): ${p(resources.dynamoDbLocal)}  other processes: ${p(resources.otherProcesses)}`);
    if (resources.eventLoopDelayMs) {
      const d = resources.eventLoopDelayMs;
      out.push(`API event loop delay: p50 ${d.p50.toFixed(1)} ms, p99 ${d.p99.toFixed(1)} ms, max ${d.max.toFixed(1)} ms`);
    }
    if (resources.gcPauseMs) {
      const g = resources.gcPauseMs;
      out.push(`API garbage collection: ${g.count} pauses, ${g.total.toFixed(0)} ms in total, longest ${g.max.toFixed(1)} ms`);
    }
  }
  out.push(`Locust CPU warning (a Locust process above 90% CPU): ${summary.cpuWarning ? 'YES - the load generator was saturated; use --workers' : 'no'}`);
  return `${out.join('\n')}\n`;
}

/**
 * The same scenario run under several settings (the public read cache off, then on), side by side: the API's
 * overall figures, then each endpoint's median and p95.
 */
export function formatComparison(runs: Array<{ label: string; summary: LocustSummary; verdicts: ThresholdVerdict[] }>): string {
  const title = `SIDE BY SIDE: ${runs.map((r) => r.label).join(' / ')}`;
  const out = [title, '-'.repeat(title.length)];
  const figure = (name: string, value: (s: LocustSummary) => string) => [name, ...runs.map((r) => value(r.summary))];
  out.push(...table(['', ...runs.map((r) => r.label)], [
    figure('requests', (s) => n(s.api.requests)),
    figure('failures', (s) => `${n(s.api.failures)} (${pct(s.api.failures, s.api.requests).toFixed(2)}%)`),
    figure('requests/s', (s) => s.api.rps.toFixed(1)),
    figure('average ms', (s) => n(s.api.avgMs)),
    figure('median ms', (s) => n(s.api.medianMs)),
    figure('p95 ms', (s) => n(s.api.p95Ms)),
    figure('p99 ms', (s) => n(s.api.p99Ms)),
    figure('max ms', (s) => n(s.api.maxMs)),
    ['thresholds', ...runs.map((r) => (r.verdicts.every((v) => v.passed) ? 'PASS' : 'FAIL'))],
  ], (i) => i > 0));
  const names = [...new Set(runs.flatMap((r) => r.summary.endpoints.filter((e) => !isLogin(e)).map((e) => `${e.method} ${e.name}`)))].sort();
  const cell = (summary: LocustSummary, name: string, pick: (e: EndpointStats) => number) => {
    const stats = summary.endpoints.find((e) => `${e.method} ${e.name}` === name);
    return stats ? n(pick(stats)) : '-';
  };
  out.push('', ...table(
    ['endpoint', ...runs.flatMap((r) => [`${r.label} median`, `${r.label} p95`])],
    names.map((name) => [name, ...runs.flatMap((r) => [cell(r.summary, name, (e) => e.medianMs), cell(r.summary, name, (e) => e.p95Ms)])]),
    (i) => i > 0,
  ));
  return `${out.join('\n')}\n`;
}

function answerSections(summary: LocustSummary): string[] {
  const answers = summary.answers ?? [];
  const out = ['ANSWERS TO WRITES (a 409 or 429 is an answer, not a failure)', '------------------------------------------------------------'];
  out.push(...table(['endpoint', 'status', 'error code', 'answers'],
    answers.map((a) => [`${a.method} ${a.name}`, String(a.status), a.code || '-', n(a.count)]), (i) => i === 1 || i === 3));
  const conflicts = conflictsByCode(answers);
  out.push('', `409 BY ERROR CODE: ${n(conflicts.reduce((sum, c) => sum + c.count, 0))}`);
  for (const c of conflicts) out.push(`- ${c.code}: ${n(c.count)} (${c.endpoints.map((e) => `${e.name} ${n(e.count)}`).join(', ')})`);
  const drop = dropOutcome(summary);
  if (drop) {
    out.push('', 'DROP', '----');
    out.push(`Presale ${drop.presaleId}: supply ${drop.supply === null ? 'unknown' : n(drop.supply)}; sold ${n(drop.sold)}; SOLD_OUT ${n(drop.soldOut)}; ` +
      `other answers: ${drop.others.length ? drop.others.map((o) => `${o.answer} ${n(o.count)}`).join(', ') : 'none'}`);
    if (drop.saleSeconds !== null && drop.mintsPerSecond !== null) {
      out.push(`Mints: ${drop.mintsPerSecond.toFixed(1)}/s over the sale (${n(drop.sold)} in ${drop.saleSeconds.toFixed(1)} s from the start to the last sale)` +
        `${drop.peak ? `; peak ${n(drop.peak.sales)} in second ${drop.peak.second}` : ''}`);
    } else {
      out.push('Mints: none');
    }
  }
  return out;
}

function total(entries: Array<{ occurrences: number }>): number {
  return entries.reduce((sum, e) => sum + e.occurrences, 0);
}
