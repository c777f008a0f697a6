/**
 * The header CloudFront adds, with the origin secret as its value, to every request it sends the API
 * (lib/marketplace-edge.ts), and that every handler requires (functions/http/origin-verify.ts). Import-free: the
 * CDK app reads it too.
 */
export const originVerifyHeader = 'x-origin-verify';
