/**
 * The seed's user (test/load/scenario.json) for the TypeScript side: the bench measures each of its request
 * shapes, the capacity model weighs them. The Locust file reads the same JSON.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { routes, type Route } from '../../functions/routes.js';

export interface ScenarioVariant {
  weight: number;
  /** Values of the route's path parameters ({collectionId} in /market/collections/{collectionId}/traits). */
  path?: Record<string, string>;
  body?: Record<string, unknown>;
  query?: Record<string, string | number>;
}

export interface ScenarioTask {
  /** Label after the path in reports ("list items"), or null for the bare path. */
  name: string | null;
  route: string;
  /** The seed report's request count for this endpoint. */
  weight: number;
  variants: ScenarioVariant[];
}

export interface WriteTask {
  name: string;
  method: string;
  path: string;
  weight: number;
  kind: string;
}

export const writeScenarioNames = ['drop', 'sweep', 'trade'] as const;
export type WriteScenarioName = (typeof writeScenarioNames)[number];

/** A write scenario's settings (scenario.json "writeScenarios"); the locustfile holds what its users do. */
export interface WriteScenario {
  waitSeconds: { min: number; max: number };
  /** Every user first tops up its balance by this much (minor units). */
  topUp: number;
  /** drop: the presale's price and per-wallet limit. */
  price?: number;
  perWalletLimit?: number;
  /** sweep: a bought NFT is listed again this much higher (0: never). */
  relistMarkupPercent?: number;
  /** trade: how often each action is chosen. */
  weights?: Record<string, number>;
}

export interface Scenario {
  waitSeconds: { min: number; max: number };
  tasks: ScenarioTask[];
  writes: { tasks: WriteTask[] };
  writeScenarios: Record<WriteScenarioName, WriteScenario>;
}

const here = dirname(fileURLToPath(import.meta.url));

export function loadScenario(file = join(here, 'scenario.json')): Scenario {
  return JSON.parse(readFileSync(file, 'utf8')) as Scenario;
}

export function routeById(id: string): Route {
  const route = routes.find((r) => r.id === id);
  if (!route) throw new Error(`scenario.json names route ${id}, which functions/routes.ts lacks`);
  return route;
}

/** "POST /market/ (list items)": how Locust and the report name a task. */
export function taskLabel(task: ScenarioTask): string {
  const route = routeById(task.route);
  const path = route.seedPath ?? route.path;
  return `${route.method} ${task.name ? `${path} (${task.name})` : path}`;
}

/** Fills {collection} and {collections:N} with fixed ids (the bench wants the same request every time): a middle collection, the first page. */
export function expandFixed<T>(value: T, collections: string[]): T {
  if (Array.isArray(value)) return value.map((v) => expandFixed(v, collections)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandFixed(v, collections)])) as T;
  }
  if (value === '{collection}') return collections[Math.floor(collections.length / 2)] as T;
  const many = typeof value === 'string' ? /^\{collections:(\d+)\}$/.exec(value) : null;
  if (many) return collections.slice(0, Number(many[1])) as T;
  return value;
}

/** Mean think time plus a response time: how often one user sends a request. */
export function requestsPerUserPerSecond(scenario: Scenario, responseSeconds: number): number {
  const meanWait = (scenario.waitSeconds.min + scenario.waitSeconds.max) / 2;
  return 1 / (meanWait + responseSeconds);
}
