// Run by `npm run bench` in a fresh Node process per measurement: how long importing one bundle takes
// (module evaluation included: SDK clients, loggers and schemas built at init), as a Lambda cold start
// pays it. Prints one JSON line. CPU time is reported beside wall time: on a shared machine the wall time
// also counts waiting for a core, the CPU time does not.
const cpuBefore = process.cpuUsage();
const started = performance.now();
const module = await import(process.argv[2]);
const imported = performance.now();
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(`${JSON.stringify({
  importMs: imported - started,
  cpuMs: (cpu.user + cpu.system) / 1000,
  // Since the process started: Node's own bootstrap plus the import.
  readyMs: imported,
  handler: typeof module.handler === 'function',
})}\n`);
