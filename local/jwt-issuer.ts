import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/**
 * A local stand-in for Cognito: signs RS256 tokens, and verifies them the way the HTTP API JWT
 * authorizer does (signature, issuer, audience, expiry and not-before, with a little clock skew).
 */
export interface LocalIssuer extends TokenVerifier {
  issuer: string;
  audience: string;
  sign(claims: { sub: string; groups?: string[] | undefined; expiresInSeconds?: number | undefined }): Promise<string>;
  jwks(): Promise<{ keys: unknown[] }>;
  /** What another process needs to verify this issuer's tokens (the local feed's: local/feed-service.ts). */
  verifierSettings(): Promise<VerifierSettings>;
}

export interface TokenVerifier {
  verify(token: string): Promise<JWTPayload>;
}

export interface VerifierSettings { publicJwk: JWK; issuer: string; audience: string }

const verifierOf = (key: CryptoKey | Uint8Array, issuer: string, audience: string): TokenVerifier => ({
  async verify(token) {
    const { payload } = await jwtVerify(token, key, { issuer, audience, algorithms: ['RS256'], requiredClaims: ['exp'], clockTolerance: 5 });
    return payload;
  },
});

export async function createVerifier({ publicJwk, issuer, audience }: VerifierSettings): Promise<TokenVerifier> {
  return verifierOf(await importJWK(publicJwk, 'RS256'), issuer, audience);
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
    ...verifierOf(publicKey as CryptoKey, issuer, audience),
    async jwks() {
      return { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] };
    },
    async verifierSettings() {
      return { publicJwk: await exportJWK(publicKey), issuer, audience };
    },
  };
}
