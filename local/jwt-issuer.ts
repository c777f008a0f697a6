import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

/**
 * A local stand-in for Cognito: signs RS256 tokens, and verifies them the way the HTTP API JWT
 * authorizer does (signature, issuer, audience, expiry and not-before, with a little clock skew).
 */
export interface LocalIssuer {
  issuer: string;
  audience: string;
  sign(claims: { sub: string; groups?: string[] | undefined; expiresInSeconds?: number | undefined }): Promise<string>;
  verify(token: string): Promise<JWTPayload>;
  jwks(): Promise<{ keys: unknown[] }>;
}

export async function createLocalIssuer(issuer: string, audience = 'marketplace-local'): Promise<LocalIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = 'local-1';
  return {
    issuer,
    audience,
    async sign({ sub, groups, expiresInSeconds = 3600 }) {
      return new SignJWT({ ...(groups && groups.length > 0 ? { 'cognito:groups': groups } : {}), token_use: 'id' })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setSubject(sub)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
        .sign(privateKey as CryptoKey);
    },
    async verify(token) {
      const { payload } = await jwtVerify(token, publicKey as CryptoKey, {
        issuer, audience, algorithms: ['RS256'], requiredClaims: ['exp'], clockTolerance: 5,
      });
      return payload;
    },
    async jwks() {
      return { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] };
    },
  };
}
