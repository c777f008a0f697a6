"""
The seed report's user (load-test-report-2025-12-02.txt), against the marketplace API.

Locust comes from Debian: `apt-get install -y python3-locust` (/usr/bin/locust, Locust 2.12.1, with gevent
and geventhttpclient). Nothing else is needed: this file uses Locust and the Python standard library only.

Normally run through `npm run loadtest` (see docs/load-testing.md), which exports the route table and
writes the report. By hand:

    npx tsx test/load/export-routes.ts test/load/reports/routes.json
    locust -f test/load/locustfile.py --headless -H http://localhost:3000 -u 100 -r 20 -t 60s

What a user does
  * The mix, the request shapes and the think time come from test/load/scenario.json (the seed's request
    counts as weights, 1-3 s between requests).
  * Paths come from the route table (functions/routes.ts, exported to JSON): a route's seedPath (the seed's
    trailing slash) or its path. Nothing here hard-codes an API path.
  * Each user logs in once (on_start), then loops: pick a request by weight, send it, think.

Environment (all optional)
  LOADTEST_ROUTES        route table JSON (default test/load/reports/routes.json)
  LOADTEST_SCENARIO      scenario JSON (default test/load/scenario.json)
  LOADTEST_AUTH          local (default: POST /local/token) | cognito (InitiateAuth USER_PASSWORD_AUTH) | tokens
  LOADTEST_USER_PREFIX   user names: user- (local) or loadtest-user- (cognito)
  LOADTEST_USER_SUFFIX   after the number: "" (local) or @example.com (cognito; create-cognito-users.sh --email-domain)
  LOADTEST_USER_POOL     how many distinct users to log in as (default 1000: the seed's user-1..user-1000)
  LOADTEST_USER_OFFSET   first user number minus one for this process (the runner sets it per worker)
  COGNITO_CLIENT_ID, COGNITO_REGION, LOADTEST_PASSWORD   for LOADTEST_AUTH=cognito
  COGNITO_TOKEN          id (default) or access: which Cognito token to send
  LOADTEST_TOKENS_FILE   for LOADTEST_AUTH=tokens: a JSON array of bearer tokens (create-cognito-users.sh --tokens-out)
  LOADTEST_WAIT          think time "min-max" in seconds instead of scenario.json's (the CI smoke uses 0.1-0.5)
  LOADTEST_WRITES        1: add the write traffic of scenario.json (top-ups, buys, bids). Default off.
  LOADTEST_COLLECTIONS   collection ids to use if GET /market/collections cannot be read (default col-1..col-50)
  LOADTEST_SCENARIO_NAME seed (default: the seed's mix) | drop | sweep | trade (scenario.json "writeScenarios")
  LOADTEST_PRESALE_ID, LOADTEST_PRESALE_STARTS_AT (epoch seconds), LOADTEST_PRESALE_SUPPLY   drop: the presale
  LOADTEST_SWEEP_COLLECTION                                         sweep: the collection swept
  npm run loadtest -- --scenario drop|sweep|trade prepares these (test/load/write-setup.ts).
"""

import itertools
import json
import logging
import math
import os
import random
import re
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter

import gevent
from locust import FastHttpUser, between, events, task
from locust.exception import CatchResponseError, StopUser
from locust.stats import StatsEntry, StatsError

import locust.runners as _locust_runners

if not _locust_runners.__version__:
    # Debian's python3-locust 2.12.1 reports an empty version, and a master turns away a worker that sends none
    # ("An old (pre 2.0) worker tried to connect"): distributed runs need a version on both sides.
    _locust_runners.__version__ = os.environ.get("LOADTEST_LOCUST_VERSION", "2.12.1")

HERE = os.path.dirname(os.path.abspath(__file__))
log = logging.getLogger("marketplace-loadtest")


def _load_json(env_name, default_path, hint):
    path = os.environ.get(env_name) or default_path
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        sys.stderr.write(f"locustfile: {path} not found. {hint}\n")
        raise SystemExit(2)


SCENARIO = _load_json("LOADTEST_SCENARIO", os.path.join(HERE, "scenario.json"), "It ships with the repository.")
ROUTE_TABLE = _load_json(
    "LOADTEST_ROUTES",
    os.path.join(HERE, "reports", "routes.json"),
    "Export the route table first: npx tsx test/load/export-routes.ts test/load/reports/routes.json "
    "(npm run loadtest does this for you).",
)
ROUTES_BY_ID = {route["id"]: route for route in ROUTE_TABLE["routes"]}
SCENARIO_NAME = os.environ.get("LOADTEST_SCENARIO_NAME", "seed")
if SCENARIO_NAME != "seed" and SCENARIO_NAME not in SCENARIO["writeScenarios"]:
    sys.stderr.write(f"locustfile: LOADTEST_SCENARIO_NAME={SCENARIO_NAME!r}: use seed or one of {list(SCENARIO['writeScenarios'])}\n")
    raise SystemExit(2)
WRITE_SETTINGS = SCENARIO["writeScenarios"].get(SCENARIO_NAME, {})
TRADE_WEIGHTS = SCENARIO["writeScenarios"]["trade"]["weights"]


def _flag(name):
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _route_path(route):
    """The path a seed client sends: the seed's spelling (trailing slash) where the table records one."""
    return route.get("seedPath") or route["path"]


class Request:
    """One entry of the mix: a route, the name it is reported under, its weight and its request shapes."""

    def __init__(self, route, label, weight, variants, kind="read"):
        self.route = route
        self.method = route["method"]
        self.path = _route_path(route)
        # Locust reports "<method> <name>": e.g. "POST /market/ (list items)", as the seed report does.
        self.name = f"{self.path} ({label})" if label else self.path
        self.weight = weight
        self.variants = variants or [{"weight": 1}]
        self.variant_weights = list(itertools.accumulate(v.get("weight", 1) for v in self.variants))
        self.kind = kind
        self.auth = route.get("auth") == "user"


def _read_requests():
    requests = []
    for entry in SCENARIO["tasks"]:
        route = ROUTES_BY_ID.get(entry["route"])
        if route is None:
            sys.stderr.write(f"locustfile: scenario.json names route {entry['route']!r}, which the route table lacks\n")
            raise SystemExit(2)
        requests.append(Request(route, entry.get("name"), entry["weight"], entry.get("variants")))
    return requests


def _write_requests():
    found = []
    for entry in SCENARIO.get("writes", {}).get("tasks", []):
        route = next(
            (r for r in ROUTE_TABLE["routes"] if r["method"] == entry["method"] and r["path"] == entry["path"]),
            None,
        )
        if route is None:
            log.warning("write traffic: %s %s is not in the route table yet; skipped", entry["method"], entry["path"])
            continue
        found.append(Request(route, entry["name"], entry["weight"], None, kind=entry["kind"]))
    return found


REQUESTS = _read_requests() + (_write_requests() if _flag("LOADTEST_WRITES") else [])
CUMULATIVE_WEIGHTS = list(itertools.accumulate(r.weight for r in REQUESTS))

AUTH_MODE = os.environ.get("LOADTEST_AUTH", "local")
USER_POOL = int(os.environ.get("LOADTEST_USER_POOL", "1000"))
USER_OFFSET = int(os.environ.get("LOADTEST_USER_OFFSET", "0"))
USER_PREFIX = os.environ.get("LOADTEST_USER_PREFIX", "loadtest-user-" if AUTH_MODE == "cognito" else "user-")
# The stage's pool signs in by email: create-cognito-users.sh makes loadtest-user-<n>@example.com.
USER_SUFFIX = os.environ.get("LOADTEST_USER_SUFFIX", "@example.com" if AUTH_MODE == "cognito" else "")
_user_counter = itertools.count()

_collections = None
_tokens = None


def _fallback_collections():
    raw = os.environ.get("LOADTEST_COLLECTIONS", "")
    if raw:
        return [c for c in raw.split(",") if c]
    return [f"col-{i}" for i in range(1, 51)]


def _discover_collections(host):
    """Collection ids from GET /market/collections (not counted in the statistics); the fallback otherwise."""
    global _collections
    if _collections is not None:
        return _collections
    found = []
    route = ROUTES_BY_ID.get("listCollections")
    try:
        cursor = None
        for _ in range(20):
            query = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            url = f"{host.rstrip('/')}{route['path']}?{urllib.parse.urlencode(query)}"
            with urllib.request.urlopen(url, timeout=10) as answer:
                page = json.load(answer)
            found += [item["collectionId"] for item in page.get("items", [])]
            cursor = page.get("nextCursor")
            if not cursor:
                break
    except Exception as error:  # noqa: BLE001 - any failure means: use the fallback
        log.warning("could not read the collections (%s); using LOADTEST_COLLECTIONS or col-1..col-50", error)
    _collections = found or _fallback_collections()
    return _collections


def _expand(value, collections):
    """Fills the scenario's placeholders: {collection} (a random collection) and {collections:N} (a random page of N)."""
    if isinstance(value, dict):
        return {key: _expand(item, collections) for key, item in value.items()}
    if isinstance(value, list):
        return [_expand(item, collections) for item in value]
    if value == "{collection}":
        return random.choice(collections)
    if isinstance(value, str) and value.startswith("{collections:") and value.endswith("}"):
        # A page of N collections, as a client showing collections N at a time asks for their floors.
        count = int(value[len("{collections:"):-1])
        start = random.randrange(0, len(collections), count)
        return collections[start:start + count]
    return value


def _wait_seconds(default=None):
    raw = os.environ.get("LOADTEST_WAIT")
    if raw:
        low, high = (float(part) for part in raw.split("-"))
        return low, high
    default = default or SCENARIO["waitSeconds"]
    return default["min"], default["max"]


WAIT_SECONDS = _wait_seconds()
WRITE_WAIT_SECONDS = _wait_seconds(WRITE_SETTINGS.get("waitSeconds"))


def _required_env(name):
    value = os.environ.get(name)
    if not value:
        sys.stderr.write(f"locustfile: the {SCENARIO_NAME} scenario needs {name} (npm run loadtest -- --scenario {SCENARIO_NAME} sets it)\n")
        raise SystemExit(2)
    return value


DROP = {
    "presaleId": _required_env("LOADTEST_PRESALE_ID"),
    "startsAt": float(_required_env("LOADTEST_PRESALE_STARTS_AT")),
    "supply": int(os.environ["LOADTEST_PRESALE_SUPPLY"]) if os.environ.get("LOADTEST_PRESALE_SUPPLY") else None,
} if SCENARIO_NAME == "drop" else None
SWEEP_COLLECTION = _required_env("LOADTEST_SWEEP_COLLECTION") if SCENARIO_NAME == "sweep" else None


class _LoggedInUser(FastHttpUser):
    """A marketplace user: logs in once when it starts (locally, through Cognito, or with a token from a file)."""

    abstract = True
    # Fail a request that hangs rather than wait Locust's default 60 s.
    connection_timeout = 10.0
    network_timeout = 30.0

    def on_start(self):
        self.user_index = USER_OFFSET + next(_user_counter)
        self.user_name = f"{USER_PREFIX}{self.user_index % USER_POOL + 1}{USER_SUFFIX}"
        self.token = self._log_in()

    def _log_in(self):
        if AUTH_MODE == "local":
            with self.client.request(
                # In the group `testers`: the local gateway follows staging, whose top-ups credit testers at once
                # (docs/payments.md), so a write scenario can spend right after topping up, as before payments.
                "POST", "/local/token", name="/local/token (login)",
                json={"userId": self.user_name, "groups": ["testers"], "expiresInSeconds": 86400},
                catch_response=True,
            ) as response:
                if response.status_code != 200:
                    response.failure(_describe(response))
                    raise StopUser()
                return response.json()["token"]
        if AUTH_MODE == "cognito":
            return self._cognito_log_in()
        if AUTH_MODE == "tokens":
            global _tokens
            if _tokens is None:
                with open(os.environ["LOADTEST_TOKENS_FILE"], encoding="utf-8") as handle:
                    _tokens = json.load(handle)
                if not _tokens:
                    raise SystemExit("LOADTEST_TOKENS_FILE holds no tokens")
            return _tokens[self.user_index % len(_tokens)]
        raise SystemExit(f"LOADTEST_AUTH={AUTH_MODE!r}: use local, cognito or tokens")

    def _cognito_log_in(self):
        region = os.environ.get("COGNITO_REGION") or os.environ.get("AWS_REGION") or "us-east-1"
        body = {
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": os.environ["COGNITO_CLIENT_ID"],
            "AuthParameters": {"USERNAME": self.user_name, "PASSWORD": os.environ["LOADTEST_PASSWORD"]},
        }
        with self.client.request(
            "POST", f"https://cognito-idp.{region}.amazonaws.com/", name="Cognito InitiateAuth (login)",
            data=json.dumps(body),
            headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"},
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(_describe(response))
                raise StopUser()
            result = response.json()["AuthenticationResult"]
            return result["AccessToken"] if os.environ.get("COGNITO_TOKEN") == "access" else result["IdToken"]


class MarketplaceUser(_LoggedInUser):
    """The seed report's user: the read mix of scenario.json, optionally with a little write traffic (--writes)."""

    abstract = SCENARIO_NAME != "seed"
    wait_time = between(*WAIT_SECONDS)

    def on_start(self):
        self.collections = _discover_collections(self.host)
        super().on_start()
        self.listing_ids = []
        self.auctions = []

    @task
    def one_request(self):
        request = random.choices(REQUESTS, cum_weights=CUMULATIVE_WEIGHTS)[0]
        if request.kind == "read":
            self._read(request)
        else:
            getattr(self, f"_write_{request.kind}")(request)

    def _headers(self, request):
        return {"Authorization": f"Bearer {self.token}"} if request.auth else {}

    def _read(self, request):
        variant = random.choices(request.variants, cum_weights=request.variant_weights)[0]
        path = request.path
        for name, value in _expand(variant.get("path") or {}, self.collections).items():
            path = path.replace(f"{{{name}}}", urllib.parse.quote(value, safe=""))
        query = variant.get("query")
        if query:
            path = f"{path}?{urllib.parse.urlencode(_expand(query, self.collections))}"
        body = variant.get("body")
        keep = self._keep_for_writes(request)
        with self.client.request(
            request.method, path, name=request.name, headers=self._headers(request),
            json=_expand(body, self.collections) if body is not None else None, catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(_describe(response))
            elif keep:
                keep(response)

    # ---- optional write traffic (LOADTEST_WRITES=1) -----------------------------------------------------------

    def _keep_for_writes(self, request):
        """With writes on, remember listings and auctions seen, so buys and bids have something to aim at."""
        if len(REQUESTS) == len(SCENARIO["tasks"]):
            return None
        if request.route["id"] == "listMarketListings":
            return lambda response: setattr(self, "listing_ids", [i["listingId"] for i in response.json().get("items", [])])
        if request.route["id"] == "listAuctions":
            return lambda response: setattr(self, "auctions", response.json().get("items", []))
        return None

    def _write(self, request, path, body):
        headers = {**self._headers(request), "Idempotency-Key": str(uuid.uuid4())}
        with self.client.request(request.method, path, name=request.name, headers=headers, json=body, catch_response=True) as response:
            # A sold listing, an outbid auction or too little balance is the marketplace working: not a failure.
            # Errors of the request itself (400 malformed, 401, 403), throttling and 5xx are.
            if 200 <= response.status_code < 300 or response.status_code in (402, 404, 409, 422):
                response.success()
            else:
                response.failure(_describe(response))

    def _write_topup(self, request):
        self._write(request, request.path, {"amount": random.randint(1_000, 100_000)})

    def _write_buy(self, request):
        if not self.listing_ids:
            return
        listing_id = self.listing_ids.pop(random.randrange(len(self.listing_ids)))
        self._write(request, request.path.replace("{listingId}", urllib.parse.quote(listing_id, safe="")), {})

    def _write_bid(self, request):
        live = [a for a in self.auctions if a.get("status") == "live"]
        if not live:
            return
        auction = random.choice(live)
        floor = max(auction.get("reservePrice") or 0, (auction.get("highestBid") or 0) + 1)
        amount = floor + random.randint(0, 10_000)
        self._write(request, request.path.replace("{auctionId}", urllib.parse.quote(auction["auctionId"], safe="")), {"amount": amount})


# ---- the write scenarios: drop, sweep, trade (LOADTEST_SCENARIO_NAME) -------------------------------------------------
#
# Every answer to their requests is tallied by endpoint, status and error code (ANSWERS) for the report. A 409 is the
# marketplace's answer (sold out, someone bought it first, outbid), not a failure; so is a 429, after which the user
# waits as Retry-After says. 400, 401, 403, 404, 422, every 5xx and every connection error are failures.

ANSWERS = Counter()  # "METHOD\tname\tstatus\tcode" -> answers
DROP_SALES = {"first": None, "last": None, "bySecond": Counter()}
PURCHASE_ATTEMPTS = 20


class Answer:
    def __init__(self, status, code, body, retry_after):
        self.status = status
        self.code = code
        self.body = body
        self.retry_after = retry_after

    @property
    def ok(self):
        return 200 <= self.status < 300


def _route_template(route_id):
    route = ROUTES_BY_ID.get(route_id)
    if route is None:
        sys.stderr.write(f"locustfile: the {SCENARIO_NAME} scenario needs route {route_id!r}, which the route table lacks\n")
        raise SystemExit(2)
    return _route_path(route)


def _path(route_id, **params):
    path = _route_template(route_id)
    for name, value in params.items():
        path = path.replace("{" + name + "}", urllib.parse.quote(str(value), safe=""))
    return path


def _error_code(response):
    try:
        return str(response.json()["error"]["code"])
    except Exception:  # noqa: BLE001 - not the error shape: no code
        return ""


def _retry_after(response):
    try:
        return min(10.0, max(0.1, float((response.headers or {}).get("Retry-After", "1"))))
    except ValueError:
        return 1.0


def _record_sale(at):
    second = int(at - DROP["startsAt"])
    DROP_SALES["bySecond"][str(second)] += 1
    DROP_SALES["first"] = at if DROP_SALES["first"] is None else min(DROP_SALES["first"], at)
    DROP_SALES["last"] = at if DROP_SALES["last"] is None else max(DROP_SALES["last"], at)


def _merge_tallies(data):
    ANSWERS.update(data.get("answers", {}))
    drop = data.get("drop", {})
    DROP_SALES["bySecond"].update(drop.get("bySecond", {}))
    for end, pick in (("first", min), ("last", max)):
        if drop.get(end) is not None:
            DROP_SALES[end] = drop[end] if DROP_SALES[end] is None else pick(DROP_SALES[end], drop[end])


@events.report_to_master.add_listener
def _send_tallies(client_id, data, **_kwargs):
    """A worker hands its tallies to the master with every stats report, and starts again from zero."""
    data["marketplaceTallies"] = {"answers": dict(ANSWERS), "drop": {**DROP_SALES, "bySecond": dict(DROP_SALES["bySecond"])}}
    ANSWERS.clear()
    DROP_SALES.update({"first": None, "last": None, "bySecond": Counter()})


@events.worker_report.add_listener
def _receive_tallies(client_id, data, **_kwargs):
    _merge_tallies(data.get("marketplaceTallies", {}))


class _WriteScenarioUser(_LoggedInUser):
    """Tops up its balance first (as a buyer would), then writes; every answer is tallied."""

    abstract = True
    wait_time = between(*WRITE_WAIT_SECONDS)

    def on_start(self):
        super().on_start()
        self.top_up()
        account = self.read("GET", _path("getAccount"), f"{_route_template('getAccount')} (who am I)")
        self.user_id = (account or {}).get("userId", self.user_name)

    def top_up(self):
        self.send("POST", _path("createTopup"), f"{_route_template('createTopup')} (top-up)", {"amount": WRITE_SETTINGS.get("topUp", 100_000)},
                  str(uuid.uuid4()))

    def send(self, method, path, name, body=None, idempotency_key=None):
        """One write. Waits out a 429 (Retry-After) before returning, so a throttled user slows down."""
        headers = {"Authorization": f"Bearer {self.token}"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        with self.client.request(method, path, name=name, headers=headers, json=body, catch_response=True) as response:
            status = response.status_code or 0
            answer = Answer(status, _error_code(response) if status >= 400 else "", None, _retry_after(response))
            if 200 <= status < 300:
                answer.body = _json_or_none(response)
            if 200 <= status < 300 or status in (409, 429):
                response.success()
            else:
                response.failure(_describe(response))
        if status:
            ANSWERS[f"{method}\t{name}\t{status}\t{answer.code}"] += 1
        if status == 429:
            gevent.sleep(answer.retry_after)
        return answer

    def read(self, method, path, name, body=None):
        with self.client.request(method, path, name=name, headers={"Authorization": f"Bearer {self.token}"}, json=body,
                                 catch_response=True) as response:
            if response.status_code != 200:
                response.failure(_describe(response))
                return None
            return _json_or_none(response)


def _json_or_none(response):
    try:
        return response.json()
    except Exception:  # noqa: BLE001 - an empty or non-JSON body
        return None


class DropUser(_WriteScenarioUser):
    """A presale drop: tops up, waits for the start second, buys one (retrying only a 429 or 503), then idles."""

    abstract = SCENARIO_NAME != "drop"

    def on_start(self):
        super().on_start()
        self.bought = False

    @task
    def buy_once(self):
        if self.bought:
            return
        self.bought = True
        # Everyone clicks within the first second of the sale.
        gevent.sleep(max(0.0, DROP["startsAt"] + random.random() - time.time()))
        path, key = _path("purchasePresale", presaleId=DROP["presaleId"]), str(uuid.uuid4())
        for _ in range(PURCHASE_ATTEMPTS):
            # The same Idempotency-Key on every attempt: a retry can never buy twice.
            answer = self.send("POST", path, f"{_route_template('purchasePresale')} (drop)", {"quantity": 1}, key)
            if answer.status == 503:
                gevent.sleep(answer.retry_after)
            elif answer.status != 429:
                break
        if answer.ok:
            _record_sale(time.time())


class SweepUser(_WriteScenarioUser):
    """A sweep of one collection: read its 20 cheapest listings, buy one of them, relist it higher (a flipper), again."""

    abstract = SCENARIO_NAME != "sweep"

    @task
    def buy_a_cheap_one(self):
        page = self.read("POST", _path("listMarketListings"), f"{_route_template('listMarketListings')} (sweep: 20 cheapest)",
                         {"collectionId": SWEEP_COLLECTION, "sort": "price_asc", "limit": 20})
        listings = [item for item in (page or {}).get("items", []) if item.get("seller") != self.user_id]
        if not listings:
            return
        listing = random.choice(listings)
        answer = self.send("POST", _path("buyListing", listingId=listing["listingId"]), f"{_route_template('buyListing')} (sweep)")
        if answer.code == "INSUFFICIENT_FUNDS":
            self.top_up()
        markup = WRITE_SETTINGS.get("relistMarkupPercent", 0)
        if answer.ok and markup > 0:
            price = math.ceil(listing["price"] * (100 + markup) / 100)
            self.send("POST", _path("createListing"), f"{_route_template('createListing')} (sweep: relist)", {"nftId": listing["nftId"], "price": price})


class TradeUser(_WriteScenarioUser):
    """Everyday trading: list what it owns, buy, make offers, bid, cancel its own listings and offers."""

    abstract = SCENARIO_NAME != "trade"

    def on_start(self):
        super().on_start()
        self.my_listings = []
        self.my_offers = []

    def _market_page(self):
        page = self.read("POST", _path("listMarketListings"), f"{_route_template('listMarketListings')} (trade: newest 20)",
                         {"sort": "newest", "limit": 20})
        return [item for item in (page or {}).get("items", []) if item.get("seller") != self.user_id]

    @task(TRADE_WEIGHTS.get("list", 3))
    def list_an_nft(self):
        owned = self.read("GET", f"{_path('listMyNfts')}?limit=100", f"{_route_template('listMyNfts')} (trade)")
        free = [nft for nft in (owned or {}).get("items", []) if not nft.get("listingId") and not nft.get("auctionId")]
        if not free:
            return
        body = {"nftId": random.choice(free)["nftId"], "price": random.randint(1_000, 5_000_000)}
        answer = self.send("POST", _path("createListing"), f"{_route_template('createListing')} (trade)", body)
        if answer.ok and answer.body:
            self.my_listings.append(answer.body["listingId"])

    @task(TRADE_WEIGHTS.get("buy", 3))
    def buy(self):
        listings = self._market_page()
        if listings:
            listing = random.choice(listings)
            answer = self.send("POST", _path("buyListing", listingId=listing["listingId"]), f"{_route_template('buyListing')} (trade)")
            if answer.code == "INSUFFICIENT_FUNDS":
                self.top_up()

    @task(TRADE_WEIGHTS.get("offer", 2))
    def make_an_offer(self):
        listings = self._market_page()
        if not listings:
            return
        listing = random.choice(listings)
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86_400))
        body = {"nftId": listing["nftId"], "amount": max(1, listing["price"] // 2), "expiresAt": expires}
        answer = self.send("POST", _path("createOffer"), f"{_route_template('createOffer')} (trade)", body)
        if answer.ok and answer.body:
            self.my_offers.append(answer.body["offerId"])

    @task(TRADE_WEIGHTS.get("bid", 2))
    def bid(self):
        page = self.read("POST", _path("listAuctions"), f"{_route_template('listAuctions')} (trade: live)", {"status": "live", "limit": 20})
        live = [a for a in (page or {}).get("items", []) if a.get("seller") != self.user_id]
        if not live:
            return
        auction = random.choice(live)
        top = auction.get("highestBid")
        # The smallest bid the default 5 % increment allows, and sometimes a little more.
        amount = (top + max(1, top * 5 // 100) if top else auction["reservePrice"]) + random.choice([0, 0, 100, 1_000])
        self.send("POST", _path("placeBid", auctionId=auction["auctionId"]), f"{_route_template('placeBid')} (trade)", {"amount": amount})

    @task(TRADE_WEIGHTS.get("cancel", 1))
    def cancel(self):
        if self.my_listings and (not self.my_offers or random.random() < 0.5):
            listing_id = self.my_listings.pop(random.randrange(len(self.my_listings)))
            self.send("DELETE", _path("cancelListing", listingId=listing_id), f"{_route_template('cancelListing')} (trade)")
        elif self.my_offers:
            offer_id = self.my_offers.pop(random.randrange(len(self.my_offers)))
            self.send("DELETE", _path("cancelOffer", offerId=offer_id), f"{_route_template('cancelOffer')} (trade)")


def _describe(response):
    """A failure as the report groups it: the connection error itself, or the HTTP status."""
    error = getattr(response, "error", None)
    if error is not None and not response.status_code:
        return error if isinstance(error, Exception) else Exception(str(error))
    return f"HTTP {response.status_code}"


@events.init.add_listener
def _announce(environment, **_kwargs):
    if SCENARIO_NAME != "seed":
        log.info("marketplace %s scenario, think time %s-%s s, auth %s", SCENARIO_NAME, *WRITE_WAIT_SECONDS, AUTH_MODE)
        return
    writes = [r.name for r in REQUESTS if r.kind != "read"]
    log.info(
        "marketplace scenario: %d read endpoints%s, think time %s-%s s, auth %s",
        len(SCENARIO["tasks"]), f", writes: {', '.join(writes)}" if writes else "",
        WAIT_SECONDS[0], WAIT_SECONDS[1], AUTH_MODE,
    )


def _entry_summary(entry):
    count = entry.num_requests
    return {
        "method": entry.method or "",
        "name": entry.name,
        "requests": count,
        "failures": entry.num_failures,
        "avgMs": round(entry.avg_response_time, 1),
        "minMs": entry.min_response_time or 0,
        "maxMs": entry.max_response_time,
        "medianMs": entry.median_response_time if count else 0,
        "p95Ms": entry.get_response_time_percentile(0.95) if count else 0,
        "p99Ms": entry.get_response_time_percentile(0.99) if count else 0,
        "avgBytes": round(entry.avg_content_length, 1) if count else 0,
        "rps": round(entry.total_rps, 2),
    }


_environment = None


def _error_text(error):
    """HTTP failures as "HTTP 500"; exceptions as their repr ("ConnectionResetError(104, ...)"), on one process or many."""
    if isinstance(error, CatchResponseError):
        return str(error.args[0]) if error.args else "CatchResponseError"
    text = error if isinstance(error, str) else repr(error)
    match = re.fullmatch(r"CatchResponseError\(([\'\"])(.*)\1\)", text)
    return match.group(2) if match else StatsError.parse_error(text).strip("'\"")


@events.init.add_listener
def _remember_environment(environment, **_kwargs):
    global _environment
    _environment = environment


def _api_aggregate(stats):
    """Every request but the logins: the API's own numbers (locally the login is a stand-in for Cognito)."""
    aggregate = StatsEntry(stats, "API requests (no logins)", "")
    aggregate.start_time = stats.total.start_time
    for entry in stats.entries.values():
        if not entry.name.endswith("(login)"):
            aggregate.extend(entry)
    return aggregate


@events.quit.add_listener
def _write_summary(exit_code, **_kwargs):
    """The final statistics as JSON for the runner's report (Locust's CSV lags the end of the run by a second).
    Written by the process that holds the totals: the master, or the only process; never a worker."""
    path = os.environ.get("LOADTEST_SUMMARY_JSON")
    runner = _environment.runner if _environment else None
    if not path or runner is None or type(runner).__name__ == "WorkerRunner":
        return
    stats = runner.stats
    summary = {
        "exitCode": exit_code,
        "startTime": stats.start_time,
        "lastRequestTime": stats.total.last_request_timestamp,
        "total": _entry_summary(stats.total),
        "api": _entry_summary(_api_aggregate(stats)),
        "endpoints": [_entry_summary(entry) for entry in sorted(stats.entries.values(), key=lambda e: (e.name, e.method or ""))],
        "errors": [
            {"method": error.method or "", "name": error.name, "error": _error_text(error.error), "occurrences": error.occurrences}
            for error in stats.errors.values()
        ],
        "cpuWarning": bool(getattr(runner, "cpu_warning_emitted", False) or getattr(runner, "worker_cpu_warning_emitted", False)),
        "writes": SCENARIO_NAME != "seed" or any(r.kind != "read" for r in REQUESTS),
        "scenario": SCENARIO_NAME,
        "answers": [
            {"method": method, "name": name, "status": int(status), "code": code, "count": count}
            for (method, name, status, code), count in sorted((tuple(key.split("\t")), count) for key, count in ANSWERS.items())
        ],
    }
    if DROP:
        summary["drop"] = {
            "presaleId": DROP["presaleId"], "supply": DROP["supply"], "startsAt": DROP["startsAt"], "firstSaleAt": DROP_SALES["first"],
            "lastSaleAt": DROP_SALES["last"], "salesBySecond": dict(DROP_SALES["bySecond"]),
        }
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=2)
