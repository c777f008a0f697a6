import type { Route } from '../../../functions/routes.js';
import type { Scenario, ScenarioTask, ScenarioVariant } from '../../load/scenario.js';
import { routeById } from '../../load/scenario.js';
import { prng as seededRandom } from '../../../local/seed.js';

export interface MixRequest {
  /** The scenario task's label with the variant's index: "POST /market/ (with filters) #2". */
  label: string;
  route: Route;
  method: string;
  path: string;
  body?: string;
  /** Sent with a user's token. */
  signedIn: boolean;
}

function pick<T extends { weight: number }>(items: readonly T[], random: () => number): T {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  let point = random() * total;
  for (const item of items) {
    point -= item.weight;
    if (point < 0) return item;
  }
  return items[items.length - 1]!;
}

function fill(value: unknown, collections: string[], random: () => number): unknown {
  if (Array.isArray(value)) return value.map((item) => fill(item, collections, random));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, collections, random)]));
  }
  if (value === '{collection}') return collections[Math.floor(random() * collections.length)];
  const many = typeof value === 'string' ? /^\{collections:(\d+)\}$/.exec(value) : null;
  if (many) {
    const start = Math.floor(random() * collections.length);
    return Array.from({ length: Math.min(Number(many[1]), collections.length) }, (_, i) => collections[(start + i) % collections.length]);
  }
  return value;
}

function request(task: ScenarioTask, variant: ScenarioVariant, collections: string[], random: () => number): MixRequest {
  const route = routeById(task.route);
  let path = route.seedPath ?? route.path;
  for (const [name, value] of Object.entries(variant.path ?? {})) {
    path = path.replace(`{${name}}`, encodeURIComponent(String(fill(value, collections, random))));
  }
  const query = Object.entries(variant.query ?? {}).map(([key, value]) =>
    `${encodeURIComponent(key)}=${encodeURIComponent(String(fill(value, collections, random)))}`);
  if (query.length > 0) path += `?${query.join('&')}`;
  const body = variant.body ? JSON.stringify(fill(variant.body, collections, random)) : undefined;
  const label = `${route.method} ${route.seedPath ?? route.path}${task.name ? ` (${task.name})` : ''} #${task.variants.indexOf(variant) + 1}`;
  return { label, route, method: route.method, path, ...(body === undefined ? {} : { body }), signedIn: route.auth === 'user' };
}

/** The tasks the mix draws from: the seed report's ten (`seed`, which every commit since the first serves) or all. */
export function mixTasks(scenario: Scenario, mix: 'seed' | 'all'): ScenarioTask[] {
  // The seed report's tasks come first in scenario.json; the ones after listMyTopups are ours (its $comment).
  const lastSeedTask = scenario.tasks.findIndex((task) => task.route === 'listMyTopups');
  return mix === 'seed' ? scenario.tasks.slice(0, lastSeedTask + 1) : scenario.tasks;
}

/** `count` requests drawn by the scenario's weights, the same ones for the same seed. */
export function drawRequests(tasks: ScenarioTask[], collections: string[], count: number, seed = 1): MixRequest[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const task = pick(tasks, random);
    return request(task, pick(task.variants, random), collections, random);
  });
}

/** Every request shape of the tasks once, with fixed ids: what the per-route DynamoDB call counts are taken on. */
export function everyShape(tasks: ScenarioTask[], collections: string[]): MixRequest[] {
  return tasks.flatMap((task) => task.variants.map((variant) => request(task, variant, collections, seededRandom(7))));
}
