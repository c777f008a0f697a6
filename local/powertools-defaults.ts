/**
 * Powertools reads its settings when its modules load (the logger's level, whether metrics are written), so the
 * local runtime sets its defaults here, in a module imported before any function code. Set them in the
 * environment, or before this module loads, to override (test/support/metrics-on.ts).
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
// Embedded metrics are one JSON line per invocation on stdout: off locally unless METRICS=on.
process.env.POWERTOOLS_METRICS_DISABLED ??= process.env.METRICS === 'on' ? 'false' : 'true';
