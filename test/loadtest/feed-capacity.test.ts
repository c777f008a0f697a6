// The live feed's part of the capacity model (test/load/feed-capacity.ts), on fixed inputs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { feedCapacity, feedPrices } from '../load/feed-capacity.js';
import { loadScenario, type Scenario } from '../load/scenario.js';

const scenario: Scenario = {
  ...loadScenario(),
  tasks: [
    { name: null, route: 'postMarketFloor', weight: 40, variants: [] },
    { name: null, route: 'getAccount', weight: 50, variants: [] },
  ],
  writes: { tasks: [{ name: 'buy', method: 'POST', path: '/market/listings/{listingId}/buy', weight: 10, kind: 'buy' }] },
};
const inputs = { subscribers: 1000, requestsPerUserPerSecond: 0.5, collections: 10, channelsPerSubscriber: 2, sessionMinutes: 10 };

describe('capacity model, live feed', () => {
  const c = feedCapacity(inputs, scenario);

  it('derives the event rate from the writes and the messages from the channels followed', () => {
    // 500 requests/s, a tenth of them buys: 50 sales/s, plus collection.updated at most 1/s for each of 10 collections.
    assert.equal(c.publicEventsPerSecond, 60);
    assert.equal(c.messagesPerSubscriberPerSecond, 12);
    assert.equal(c.messagesPerHour, 1000 * 12 * 3600);
  });

  it('AppSync Events costs its messages, publishes and connection minutes; the WebSocket API that and its fan-out besides', () => {
    assert.equal(c.appSyncEvents['messages delivered'], (c.messagesPerHour / 1e6) * feedPrices.appSyncEventsOperationPerMillion);
    assert.equal(c.appSyncEvents['connection minutes'], (1000 * 60 / 1e6) * feedPrices.appSyncEventsConnectionMinutePerMillion);
    const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
    assert.ok(total(c.appSyncEvents) < total(c.webSocketApi));
  });

  it('counts the polls the subscribe variant saves, and where subscribing stops paying', () => {
    assert.equal(c.polls.perHourPolling, 500 * 0.4 * 3600);
    assert.equal(c.polls.perHourSubscribing, 1000 * 6 * 4, 'six sessions an hour, two reads and two catch-ups each');
    assert.equal(c.polls.savedPerHour, c.polls.perHourPolling - c.polls.perHourSubscribing);
    const feedCostAtBreakEven = 1000 * 3600 * c.breakEvenMessagesPerSubscriberPerSecond / 1e6 * feedPrices.appSyncEventsOperationPerMillion;
    assert.ok(Math.abs(feedCostAtBreakEven - c.polls.savedDollarsPerHour) < 1e-9);
  });
});
