// Preloaded (node --import) into the marketplace process that bench:gate measures: counts the process's HTTP
// requests to DynamoDB by operation (the x-amz-target header) and the bytes of their answers ("<target> bytes"),
// and serves the counts on BENCH_CALLS_PORT.
// Plain JavaScript that needs nothing of the project, so it measures any commit's code the same way.
import { subscribe } from 'node:diagnostics_channel';
import { createServer } from 'node:http';

const counts = {};
subscribe('http.client.request.start', ({ request }) => {
  const target = request.getHeader('x-amz-target');
  if (typeof target !== 'string') return;
  counts[target] = (counts[target] ?? 0) + 1;
});
subscribe('http.client.response.finish', ({ request, response }) => {
  const target = request.getHeader('x-amz-target');
  const length = Number(response.headers['content-length']);
  if (typeof target !== 'string' || !(length >= 0)) return;
  counts[`${target} bytes`] = (counts[`${target} bytes`] ?? 0) + length;
});

const port = Number(process.env.BENCH_CALLS_PORT);
if (port > 0) {
  createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(counts));
  }).listen(port, '127.0.0.1').unref();
}
