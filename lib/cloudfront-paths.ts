import type { Route } from '../functions/routes.js';

/**
 * The characters CloudFront accepts in a cache behaviour's path pattern: A-Z a-z 0-9 _ - . * $ / ~ " ' @ : + &, and
 * the wildcards * and ? (CloudFront Developer Guide, "Path pattern":
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesCacheBehavior.html#DownloadDistValuesPathPattern).
 * Anything else fails the deploy with `InvalidArgument: The parameter globPattern can only contain these characters`.
 */
export const pathPatternCharacters = /^[A-Za-z0-9_\-.*?$/~"'@:+&]+$/;

/** A route path's `{name}` segments become `*`: the pattern matches the route's paths, whatever the parameter. */
export function routePathPattern(path: string): string {
  return path.split('/').map((segment) => (/^\{[^{}]+\}$/.test(segment) ? '*' : segment)).join('/');
}

/**
 * The path patterns of a cacheable route. CloudFront picks a behaviour by the path as the viewer sent it,
 * before the viewer-request function strips the slash, so `/market/` needs its own pattern to be cached.
 */
export const behaviourPatterns = (route: Pick<Route, 'path'>): string[] => {
  const pattern = routePathPattern(route.path);
  return [pattern, `${pattern}/`];
};

/**
 * Whether CloudFront sends a request path to a behaviour with this pattern: `*` matches any run of characters
 * (slashes included, or none), `?` exactly one, anything else itself; case-sensitive.
 */
export function matchesPathPattern(pattern: string, path: string): boolean {
  const source = pattern.split('').map((char) => {
    if (char === '*') return '.*';
    if (char === '?') return '.';
    return char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }).join('');
  return new RegExp(`^${source}$`).test(path);
}
