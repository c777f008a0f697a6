import { listPresales } from '../../data/window-repository.js';
import { publicHandler } from '../../http/http-handler.js';
import { requestInput, validate } from '../../http/input.js';
import { presaleFilters } from '../../schemas/lists.js';

export const handler = publicHandler('presales/list-presales', async (event) => {
  const filters = validate(presaleFilters, requestInput(event, { integers: ['limit'] }));
  return listPresales(filters.status, new Date().toISOString(), filters);
});
