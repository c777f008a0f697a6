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

const clockToleranceSeconds = 5;
/** Tokens whose signature, issuer and audience were checked; a client sends the same token with every request. */
const maxRememberedTokens = 50_000;

/**
 * Checks a token's signature once (RS256 is most of the local authorizer's CPU) and its time claims on every
 * use, so a remembered token is refused from the moment it expires, exactly as a fresh check would refuse it.
 */
function verifierOf(key: CryptoKey | Uint8Array, issuer: string, audience: string): TokenVerifier {
  const verified = new Map<string, JWTPayload>();
  const current = (payload: JWTPayload) => {
    const now = Date.now() / 1000;
    return now < payload.exp! + clockToleranceSeconds && (payload.nbf === undefined || payload.nbf <= now + clockToleranceSeconds);
  };
  return {
    async verify(token) {
      const remembered = verified.get(token);
      if (remembered && current(remembered)) return remembered;
      const { payload } = await jwtVerify(token, key, {
        issuer, audience, algorithms: ['RS256'], requiredClaims: ['exp'], clockTolerance: clockToleranceSeconds,
      });
      if (verified.size >= maxRememberedTokens) verified.clear();
      verified.set(token, payload);
      return payload;
    },
  };
}

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
