// CloudFront Function (cloudfront-js-2.0, viewer request). HTTP API cannot define `/market/` next to
// `/market`, so the edge removes trailing slashes before the request reaches the API: `/market/` and
// `/market//` become `/market`; `/` stays `/`. The query string is left untouched.
// Plain ES5-style JavaScript with no imports or exports: CloudFront runs it as is (test/stack tests it).
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.length > 1 && uri.charAt(uri.length - 1) === '/') {
    var stripped = uri.replace(/\/+$/, '');
    request.uri = stripped === '' ? '/' : stripped;
  }
  return request;
}
