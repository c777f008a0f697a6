/**
 * The live feed in `npm run capacity` (docs/live-feed.md): what pushing the market to N subscribers costs with
 * AppSync Events and with an API Gateway WebSocket API (connection table, fan-out Lambda, one PostToConnection per
 * subscriber per event), and what the subscribe-instead-of-poll variant of the seed mix saves in requests and
 * dollars. Event rates come from the seed mix's writes; prices are list prices (no internet here to re-check).
 */
import type { Scenario } from './scenario.js';

/** us-east-1 list prices recorded 2025-11-15 from the AppSync and API Gateway pricing pages. */
export const feedPrices = {
  appSyncEventsOperationPerMillion: 1.00, // each publish and each message delivered to a subscriber (up to 5 KB)
  appSyncEventsConnectionMinutePerMillion: 0.08,
  webSocketMessagePerMillion: 1.00, // each message in or out (PostToConnection included), 32 KB increments; first 1 billion a month
  webSocketConnectionMinutePerMillion: 0.25,
  lambdaRequestPerMillion: 0.20,
  lambdaArmGbSecond: 0.0000133334,
  dynamoDbReadRequestUnitPerMillion: 0.125,
  dynamoDbWriteRequestUnitPerMillion: 0.625,
  /** One API request of the seed mix end to end: CloudFront, WAF, HTTP API, Lambda (1 request, ~13 ms at 1 GB), ~1 RRU. */
  apiRequestPerMillion: 1.00 + 0.60 + 1.00 + 0.20 + 0.013 * 0.0000133334 * 1e6 + 0.125,
} as const;

export interface FeedCapacityInputs {
  subscribers: number;
  /** Requests per second each user of the seed mix makes. */
  requestsPerUserPerSecond: number;
  collections: number;
  /** Collection channels each subscriber follows (besides its own private channel). */
  channelsPerSubscriber: number;
  /** How often a subscriber reconnects and reloads (page open, network change): its reads per session. */
  sessionMinutes: number;
}

export const defaultFeedInputs: Omit<FeedCapacityInputs, 'subscribers' | 'requestsPerUserPerSecond'> = {
  collections: 50, channelsPerSubscriber: 2, sessionMinutes: 10,
};

/** The seed's polls the subscribe variant replaces: listings and floors. */
const pollRoutes = new Set(['listMarketListings', 'getMarketListings', 'postMarketFloor', 'getMarketFloor']);
/** Public events per write of the seed mix: a buy is a sale; a bid is bid.placed; a top-up is nobody's business. */
const eventsPerWrite: Record<string, number> = { buy: 1, bid: 1, topup: 0 };
/** The aggregator writes a collection at most about once a batching window (1 s): collection.updated per collection. */
const collectionUpdatesPerCollectionPerSecond = 1;

/** Dollars per hour by item. */
type Costs = Record<string, number>;

export interface FeedCapacity {
  inputs: FeedCapacityInputs;
  /** Events/s published; messages/s each subscriber receives; messages/hour delivered in all. */
  publicEventsPerSecond: number; messagesPerSubscriberPerSecond: number; messagesPerHour: number;
  appSyncEvents: Costs;
  webSocketApi: Costs;
  polls: { perHourPolling: number; perHourSubscribing: number; savedPerHour: number; savedDollarsPerHour: number };
  /** Messages per subscriber per second below which subscribing costs less than the polls it replaces. */
  breakEvenMessagesPerSubscriberPerSecond: number;
}

const sum = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);

export function feedCapacity(inputs: FeedCapacityInputs, scenario: Scenario): FeedCapacity {
  const { subscribers: n, collections, channelsPerSubscriber } = inputs;
  const weights = [...scenario.tasks, ...scenario.writes.tasks].reduce((s, t) => s + t.weight, 0);
  const rps = n * inputs.requestsPerUserPerSecond;
  const tradeEvents = scenario.writes.tasks.reduce((s, t) => s + (eventsPerWrite[t.kind] ?? 1) * t.weight, 0) / weights * rps;
  const collectionUpdates = Math.min(collections * collectionUpdatesPerCollectionPerSecond, tradeEvents);
  const publicEventsPerSecond = tradeEvents + collectionUpdates;
  const messagesPerSubscriberPerSecond = (publicEventsPerSecond * channelsPerSubscriber) / collections;
  const messagesPerHour = n * messagesPerSubscriberPerSecond * 3600;
  const connectionMinutesPerHour = n * 60;
  // Each event goes to /market/all and its collection: two publishes (a publish carries up to 5 events; counted one each).
  const publishesPerHour = publicEventsPerSecond * 2 * 3600;
  const p = feedPrices;
  const appSyncEvents = {
    'messages delivered': (messagesPerHour / 1e6) * p.appSyncEventsOperationPerMillion,
    publishes: (publishesPerHour / 1e6) * p.appSyncEventsOperationPerMillion,
    'connection minutes': (connectionMinutesPerHour / 1e6) * p.appSyncEventsConnectionMinutePerMillion,
  };
  // The WebSocket API: per event, a fan-out Lambda Queries the channel's connections (100 B each, eventually
  // consistent) and calls PostToConnection once per subscriber (~2 ms of a 1 GB Lambda each, calls in parallel);
  // $connect/$disconnect write and delete a connection item per session and run a Lambda each.
  const subscribersPerEvent = (n * channelsPerSubscriber) / collections;
  const sessionsPerHour = (n * 60) / inputs.sessionMinutes;
  const webSocketApi = {
    'messages (PostToConnection)': (messagesPerHour / 1e6) * p.webSocketMessagePerMillion,
    'connection minutes': (connectionMinutesPerHour / 1e6) * p.webSocketConnectionMinutePerMillion,
    'fan-out Lambda': ((publicEventsPerSecond * 3600) / 1e6) * p.lambdaRequestPerMillion + messagesPerHour * 0.002 * p.lambdaArmGbSecond,
    'connection table reads': ((publicEventsPerSecond * 3600 * Math.max(1, Math.ceil((subscribersPerEvent * 100) / 4096) / 2)) / 1e6) * p.dynamoDbReadRequestUnitPerMillion,
    '$connect/$disconnect': ((sessionsPerHour * 2) / 1e6) * (p.lambdaRequestPerMillion + p.dynamoDbWriteRequestUnitPerMillion),
  };
  const pollShare = scenario.tasks.filter((t) => pollRoutes.has(t.route)).reduce((s, t) => s + t.weight, 0) / weights;
  const perHourPolling = rps * pollShare * 3600;
  // Subscribing: per session, one read of listings and one of floors, then a catch-up GET /feed per channel.
  const perHourSubscribing = sessionsPerHour * (2 + channelsPerSubscriber);
  const savedPerHour = perHourPolling - perHourSubscribing;
  return {
    inputs, publicEventsPerSecond, messagesPerSubscriberPerSecond, messagesPerHour,
    appSyncEvents, webSocketApi,
    polls: { perHourPolling, perHourSubscribing, savedPerHour, savedDollarsPerHour: (savedPerHour / 1e6) * p.apiRequestPerMillion },
    breakEvenMessagesPerSubscriberPerSecond: ((savedPerHour / 1e6) * p.apiRequestPerMillion) / ((n * 3600) / 1e6) / p.appSyncEventsOperationPerMillion,
  };
}

const f0 = (x: number) => Math.round(x).toLocaleString('en-US');
const usd = (x: number) => `$${x.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 })}`;

export function formatFeedCapacity(c: FeedCapacity): string {
  const i = c.inputs;
  const rows = (costs: Record<string, number>) => Object.entries(costs).map(([k, v]) => `  ${k.padEnd(30)} ${usd(v).padStart(10)}`);
  return [
    `LIVE FEED - ${f0(i.subscribers)} subscribers, ${i.channelsPerSubscriber} collection channels each of ${i.collections}, sessions of ${i.sessionMinutes} min`,
    '='.repeat(64),
    `Public events: ${c.publicEventsPerSecond.toFixed(1)}/s (the seed mix's buys and bids, plus collection.updated at most 1/s per collection)`,
    `Delivered: ${c.messagesPerSubscriberPerSecond.toFixed(2)} messages/s per subscriber, ${f0(c.messagesPerHour)} per hour`,
    '', 'Fan-out cost per hour:',
    `AppSync Events (chosen) ${usd(sum(c.appSyncEvents))}`, ...rows(c.appSyncEvents),
    `API Gateway WebSocket API ${usd(sum(c.webSocketApi))}`, ...rows(c.webSocketApi),
    '', 'Subscribe instead of poll (POST /market/ and /market/floor of the seed mix):',
    `  polling: ${f0(c.polls.perHourPolling)} requests/hour; subscribing: ${f0(c.polls.perHourSubscribing)} (a listings and a floor read and a catch-up per channel per session)`,
    `  saved: ${f0(c.polls.savedPerHour)} requests/hour, ${usd(c.polls.savedDollarsPerHour)}/hour (${usd(feedPrices.apiRequestPerMillion)} per million API requests end to end)`,
    `  break-even: subscribing costs less than these polls while a subscriber receives under ${c.breakEvenMessagesPerSubscriberPerSecond.toFixed(2)} messages/s`,
    `  (here ${c.messagesPerSubscriberPerSecond.toFixed(2)}/s: ${c.messagesPerSubscriberPerSecond < c.breakEvenMessagesPerSubscriberPerSecond ? 'subscribing is cheaper' : 'every event of two busy collections costs more than polling them; a floors-only channel would not'})`,
    '',
  ].join('\n');
}
