/**
 * `npm run watch`: the live market feed, one line per event, through the documented client loop (docs/live-feed.md):
 * nothing missed across reconnects, nothing twice.
 *
 *   npm run watch -- --collection col-1                 # one collection, on the local API (npm start)
 *   npm run watch -- --collection col-1 --user user-1   # and user-1's private channel (offers received, outbid, sold)
 *   npm run watch                                       # the whole market (/market/all)
 *   npm run watch -- --since 0                          # from the start of the log (default: from now)
 *   npm run watch -- --target https://dxxxx.cloudfront.net --feed wss://xxxx.appsync-realtime-api.us-east-1.amazonaws.com/event/realtime \
 *                    --token "$ID_TOKEN" --collection col-1  # a deployed stage (outputs FeedRealtimeUrl, a Cognito id token)
 */
import { commandLine, usageError } from './cli-args.js';
import { followChannel, type FeedEvent } from '../local/feed-client.js';

const { values } = commandLine(`Usage: npm run watch -- [--collection ID]... [--user ID] [--since N] [--target URL] [--feed WSS_URL] [--token TOKEN]
  Follows the live market feed, one line per event: the collections given, a user's private channel, or the whole
  market (/market/all). --since N starts after event N (0: the start of the log; default: from now). --target is
  the API (default http://localhost:3000, npm start); a deployed stage needs --feed (output FeedRealtimeUrl) and
  --token (a Cognito id token).`, {
  target: { type: 'string', default: 'http://localhost:3000' },
  feed: { type: 'string' },
  collection: { type: 'string', multiple: true },
  user: { type: 'string' },
  token: { type: 'string' },
  since: { type: 'string' },
});
if (!/^https?:\/\//.test(values.target)) usageError(`--target ${values.target}: must be an http(s) URL`);
if (values.since !== undefined && !/^\d+$/.test(values.since)) usageError(`--since ${values.since}: must be an event number (0 or more)`);

const target = values.target.replace(/\/$/, '');
const realtimeUrl = values.feed ?? `${target.replace(/^http/, 'ws')}/event/realtime`;

async function token(): Promise<string> {
  if (values.token) return values.token;
  const response = await fetch(`${target}/local/token`, { method: 'POST', body: JSON.stringify({ userId: values.user ?? 'watcher' }) }).catch(() => {
    failed(`no API at ${target} (start one with npm start, or give --target)`);
  });
  if (!response.ok) failed(`no --token, and ${target}/local/token answered ${response.status}: a deployed stage needs --token`);
  return ((await response.json()) as { token: string }).token;
}

function failed(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const ids = ['nftId', 'listingId', 'offerId', 'auctionId', 'purchaseId'] as const;

/** `#12  /market/collections/col-1  sale  nft=nft-42  listing=lst-9  price=500  by=user-3  with=user-7` (by: the buyer, bidder or maker; with: the seller or owner). */
function line(event: FeedEvent): string {
  const about = ids.filter((k) => event[k]).map((k) => `${k.replace(/Id$/, '')}=${String(event[k])}`);
  const extra = [
    event.price !== undefined && event.price !== null ? `price=${String(event.price)}` : '',
    event.type === 'collection.updated' ? `changed=${(event.changed as string[]).join(',')} floor=${String(event.floorPrice)} listed=${String(event.listedCount)}` : '',
    event.type === 'auction.extended' ? `endsAt=${String(event.endsAt)}` : '',
    event.type === 'bid.outbid' ? `yourBid=${String(event.yourBid)} highest=${String(event.highestBid)}` : '',
    event.actor ? `by=${String(event.actor)}` : '',
    event.counterparty ? `with=${String(event.counterparty)}` : '',
  ].filter(Boolean);
  return [`#${event.seq}`, event.channel, event.type.padEnd(18), ...about, ...extra].join('  ');
}

const auth = await token();
const channels = [
  ...(values.collection?.length ? values.collection.map((c) => `/market/collections/${c}`) : values.user ? [] : ['/market/all']),
  ...(values.user ? [`/users/${values.user}`] : []),
];
const apiUrl = target;
for (const channel of channels) {
  const since = values.since !== undefined ? Number(values.since) : 'live';
  const follower = followChannel({
    endpoints: { realtimeUrl, apiUrl }, channel, token: auth, since,
    onEvent: (event) => console.log(line(event)),
    onError: (error) => console.error(`${channel}: ${error.message} (reconnecting)`),
  });
  await follower.ready();
  console.error(`watching ${channel} ${since === 'live' ? 'from now' : `from #${since + 1}`}`);
}
