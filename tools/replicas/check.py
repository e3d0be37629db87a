"""Checks through the proxy in front of three replicas (see run.sh).

Each check prints what it saw; any difference from one replica's behaviour
raises, and the script exits non-zero.
"""

import hashlib
import hmac
import http.server
import json
import os
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

PROXY = os.environ["PROXY"]
ADMIN_PASSWORD = os.environ["ADMIN_PASSWORD"]
VICTIM_PID = int(os.environ["VICTIM_PID"])
USER_PASSWORD = "replicas-user-password"


def lower(headers):
    """Headers by lower-case name."""
    return {name.lower(): value for name, value in headers.items()}


def call(method, path, body=None, token=None, headers=None, form=None):
    """One request through the proxy: (status, headers, parsed body)."""
    data = None
    sent = dict(headers or {})
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    if token:
        sent["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(PROXY + path, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, lower(response.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw
        return error.code, lower(error.headers), parsed


def expect(condition, what):
    if not condition:
        raise SystemExit(f"FAILED: {what}")
    print(f"ok: {what}")


def login(username, password):
    return call("POST", "/api/v1/auth/token", form={"grant_type": "password", "username": username, "password": password})


class Receiver(http.server.ThreadingHTTPServer):
    """A webhook receiver: keeps every delivery whose signature verifies."""

    daemon_threads = True

    def __init__(self):
        self.lock = threading.Lock()
        self.deliveries = []
        self.badly_signed = 0
        self.secret = None
        super().__init__(("127.0.0.1", 0), ReceiverHandler)


class ReceiverHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        parts = dict(p.split("=", 1) for p in self.headers["Chanjiao-Signature"].split(",") if p.startswith("t="))
        expected = hmac.new(self.server.secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
        signed = f"v1={expected}" in self.headers["Chanjiao-Signature"].split(",")
        with self.server.lock:
            if signed:
                self.server.deliveries.append((self.headers["Chanjiao-Event-Id"], json.loads(body)))
            else:
                self.server.badly_signed += 1
        self.send_response(200 if signed else 400)
        self.end_headers()

    def log_message(self, *args):
        pass


def follow(admin, after, limit=500):
    """Every change after `after`, page by page through the proxy: (items, next_after)."""
    items = []
    while True:
        status, _, page = call("GET", f"/api/v1/changes?after={after}&limit={limit}", token=admin)
        if status != 200:
            raise SystemExit(f"FAILED: a page of the feed answered {status}: {page}")
        items += page["items"]
        after = page["next_after"]
        if len(page["items"]) < limit:
            return items, after


def at_once(count, work):
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda i: work(i), range(count)))


def main():
    status, _, pair = login("admin", ADMIN_PASSWORD)
    expect(status == 200, "the admin logs in through the proxy")
    admin = pair["access_token"]

    # Login throttling: 40 wrong passwords at once, spread over three replicas.
    status, _, _ = call("POST", "/api/v1/users", {"username": "target-user", "role": "viewer", "password": USER_PASSWORD}, admin)
    expect(status == 201, "a user to throttle is created")
    statuses = at_once(40, lambda i: login("target-user", "wrong-password")[0])
    checked = statuses.count(400)
    expect(checked == 5 and statuses.count(429) == 35, f"40 wrong passwords at once are 5 checks and 35 answers 429 (saw {checked} checks)")
    expect(login("target-user", USER_PASSWORD)[0] == 429, "then even the right password is 429 on every replica")

    # Refresh-token reuse detection across replicas.
    _, _, first = login("admin", ADMIN_PASSWORD)
    refresh = lambda token: call("POST", "/api/v1/auth/token", form={"grant_type": "refresh_token", "refresh_token": token})
    status, _, second = refresh(first["refresh_token"])
    expect(status == 200, "a refresh token is exchanged")
    status, _, problem = refresh(first["refresh_token"])
    expect(status == 400 and problem.get("error") == "invalid_grant", "presenting it again (another replica) is invalid_grant")
    expect(refresh(second["refresh_token"])[0] == 400, "and revokes the whole login, the newer token included")
    _, _, pair = login("admin", ADMIN_PASSWORD)
    statuses = sorted(at_once(6, lambda i: refresh(pair["refresh_token"])[0]))
    expect(statuses.count(200) == 1, f"of six simultaneous refreshes with one token one succeeds ({statuses})")

    # Idempotency replays: the same key reaches each replica in turn.
    key = str(uuid.uuid4())
    answers = [call("POST", "/api/v1/enterprises", {"name": "幂等企业"}, admin, {"Idempotency-Key": key}) for _ in range(4)]
    ids = {body["id"] for _, _, body in answers}
    replayed = [headers.get("idempotent-replayed") for _, headers, _ in answers]
    expect([s for s, _, _ in answers] == [201] * 4 and len(ids) == 1, "four retries of one create answer one record")
    expect(replayed == [None, "true", "true", "true"], "the retries say Idempotent-Replayed: true")
    key = str(uuid.uuid4())
    answers = at_once(6, lambda i: call("POST", "/api/v1/enterprises", {"name": "并发幂等"}, admin, {"Idempotency-Key": key}))
    fresh = [a for a in answers if a[0] == 201 and a[1].get("idempotent-replayed") is None]
    expect(len(fresh) == 1 and all(a[0] in (201, 409) for a in answers), "six simultaneous sends of one key create once")
    _, _, page = call("GET", "/api/v1/enterprises?q=%E5%B9%B6%E5%8F%91%E5%B9%82%E7%AD%89", token=admin)
    expect(page["total"] == 1, "and one record is stored")

    # If-Match races: six patches of version 1 at once.
    status, headers, created = call("POST", "/api/v1/enterprises", {"name": "竞争企业"}, admin)
    path = f"/api/v1/enterprises/{created['id']}"
    results = at_once(6, lambda i: call("PATCH", path, {"industry": f"行业{i}"}, admin, {"If-Match": '"1"'})[0])
    expect(sorted(results) == [200] + [412] * 5, f"six patches of one version at once: one 200, five 412 ({sorted(results)})")
    _, _, stored = call("GET", path, token=admin)
    expect(stored["version"] == 2, "the record is at version 2")

    # Cursor walks: each page from another replica.
    for i in range(25):
        call("POST", "/api/v1/enterprises", {"name": f"游标企业{i:02d}"}, admin)
    _, _, first_page = call("GET", "/api/v1/enterprises?limit=7", token=admin)
    total, seen, cursor, pages = first_page["total"], [], None, 0
    while True:
        query = "/api/v1/enterprises?limit=7" + (f"&cursor={cursor}" if cursor else "")
        status, _, page = call("GET", query, token=admin)
        if status != 200:
            raise SystemExit(f"FAILED: a page of the walk answered {status}: {page}")
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    expect(len(seen) == total and len(set(seen)) == total, f"a walk of {pages} pages across replicas visits all {total} records once")

    # A SIGTERM to one replica under load loses no acknowledged request; a
    # client following the change feed through the proxy (each page from
    # another replica, one of them draining) sees every change once, in
    # order; a webhook gets each create once, signed.
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    status, _, hook = call(
        "POST",
        "/api/v1/webhooks",
        {"url": f"http://127.0.0.1:{receiver.server_address[1]}/hook", "events": ["enterprise.create"]},
        admin,
    )
    expect(status == 201, "a webhook for enterprise creates is created")
    receiver.secret = hook["secret"]
    _, _, latest = call("GET", "/api/v1/changes?after=latest", token=admin)
    start = latest["next_after"]
    followed, follower_stop = [], threading.Event()

    def follower():
        after = start
        while not follower_stop.is_set():
            status, _, page = call("GET", f"/api/v1/changes?after={after}&limit=50", token=admin)
            if status != 200:
                raise SystemExit(f"FAILED: a page of the feed answered {status}: {page}")
            followed.extend(page["items"])
            after = page["next_after"]
            time.sleep(0.02)
        rest, _ = follow(admin, after)
        followed.extend(rest)

    following = threading.Thread(target=follower)
    following.start()
    acknowledged, failures, stop = [], [], threading.Event()
    lock = threading.Lock()

    def load(worker):
        n = 0
        while not stop.is_set():
            n += 1
            status, _, body = call("POST", "/api/v1/enterprises", {"name": f"负载{worker}-{n}"}, admin)
            with lock:
                if status == 201:
                    acknowledged.append(body["id"])
                else:
                    failures.append((status, body))

    threads = [threading.Thread(target=load, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    os.kill(VICTIM_PID, signal.SIGTERM)
    time.sleep(6)
    stop.set()
    for thread in threads:
        thread.join()
    expect(not failures, f"{len(acknowledged)} creates under load while a replica drained, none refused ({failures[:3]})")
    missing = [i for i in acknowledged if call("GET", f"/api/v1/enterprises/{i}", token=admin)[0] != 200]
    expect(not missing, f"every acknowledged create is stored ({len(missing)} missing)")

    follower_stop.set()
    following.join()
    positions = [item["position"] for item in followed]
    expect(all(a < b for a, b in zip(positions, positions[1:])), f"the feed's {len(positions)} positions followed across replicas only grow")
    walked, _ = follow(admin, start)
    expect(followed == walked, "the follower saw exactly what a walk afterwards sees: no change skipped, none twice")
    created = [item["resource_id"] for item in followed if item["action"] == "create" and item["resource_type"] == "enterprise"]
    expect(sorted(created) == sorted(acknowledged), f"each of the {len(acknowledged)} acknowledged creates is in the feed once")

    deadline = time.time() + 120
    while time.time() < deadline:
        with receiver.lock:
            delivered = {body["data"]["resource_id"] for _, body in receiver.deliveries}
        if delivered >= set(acknowledged):
            break
        time.sleep(0.5)
    time.sleep(3)
    with receiver.lock:
        deliveries = list(receiver.deliveries)
        badly_signed = receiver.badly_signed
    resources = [body["data"]["resource_id"] for _, body in deliveries]
    event_ids = {event_id for event_id, _ in deliveries}
    expect(badly_signed == 0, "every delivery is signed with the webhook's secret")
    expect(set(resources) == set(acknowledged), f"the webhook got every one of the {len(acknowledged)} creates")
    expect(
        len(deliveries) == len(set(resources)) == len(event_ids),
        f"each once: {len(deliveries)} deliveries, {len(set(resources))} records, {len(event_ids)} event ids "
        "(two replicas delivering, one drained)",
    )
    receiver.shutdown()


if __name__ == "__main__":
    main()
