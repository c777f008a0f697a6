import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isAllowedTraitKey } from '../../functions/domain/traits.js';

it('a trait key may be any name but a built-in object property\'s', () => {
  for (const key of ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__']) assert.equal(isAllowedTraitKey(key), false, key);
  for (const key of ['Eyes', 'Background', 'proto', '__proto', 'Constructor', 'toString ']) assert.equal(isAllowedTraitKey(key), true, key);
});
