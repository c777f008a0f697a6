import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { createLocalIssuer } from '../../local/jwt-issuer.js';

test('a token verified before is refused once it expires, and a token of another issuer never passes', async () => {
  const issuer = await createLocalIssuer('http://localhost/local');
  const token = await issuer.sign({ sub: 'user-1', expiresInSeconds: 60 });
  assert.equal((await issuer.verify(token)).sub, 'user-1');
  assert.equal((await issuer.verify(token)).sub, 'user-1');

  mock.timers.enable({ apis: ['Date'], now: Date.now() + 66_000 }); // past exp plus the 5 s clock tolerance
  try {
    await assert.rejects(issuer.verify(token), { code: 'ERR_JWT_EXPIRED' });
  } finally {
    mock.timers.reset();
  }

  const other = await createLocalIssuer('http://localhost/local');
  await assert.rejects(other.verify(await issuer.sign({ sub: 'user-2' })), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
});
