"""Where a request's time goes, from a `perf` profile of the service under load.

    CARGO_PROFILE_RELEASE_DEBUG=line-tables-only cargo build --release
    # run the service and a load (e.g. the yardstick's scenario), then, for a few seconds of it:
    perf record -F 997 --call-graph dwarf,32768 -p <pid of chanjiao> -o get.data -- sleep 3
    python3 tools/perf_breakdown.py get.data

Each sample goes to the first category below whose pattern names a frame of its stack
(token check, user lookup, count, row decode, the sea-orm/sqlx client, serialisation, ...);
samples of SQLite's worker threads are split by what the engine was doing (compiling a
statement again, executing, committing, syncing, handing results to the async side).
Prints the share of the server's samples per category."""
import re, subprocess, sys, collections
CATS = [
    ("token check", r"TokenKeys::verify|jsonwebtoken"),
    ("user lookup", r"resolve_principal|entity::user::|user::Model"),
    ("tallies/stats query", r"service::stats|placement_total|host_active"),
    ("count query", r"PaginatorTrait|::count::|paginator"),
    ("row decode", r"FromQueryResult|from_query_result|TryGetable"),
    ("query build+send (sea-orm/sqlx client)", r"sea_orm::|sea_query::|sqlx_core::|sqlx_sqlite::"),
    ("serialisation", r"serde_json::ser|serde::ser|Serialize>::serialize|HttpResponseBuilder::json|to_record|shown"),
    ("cursor", r"domain::cursor"),
    ("query-string/body parsing", r"serde_urlencoded|serde_json::de|api::query|api::body|validator"),
    ("logging", r"tracing_subscriber|tracing_core"),
    ("metrics", r"prometheus::"),
]
WORKER = [
    ("re-prepare on rebind", r"sqlite3Reprepare"),
    ("prepare", r"sqlite3Prepare|sqlite3LockAndPrepare"),
    ("disk sync", r"fsync|fdatasync|unixSync"),
    ("commit/journal", r"sqlite3VdbeHalt|pager_end_transaction|sqlite3PagerCommit|pager_write|journal"),
    ("locking/file checks", r"unixLock|unixUnlock|fcntl|fstat|pagerSharedLock|unixCheckReservedLock"),
    ("execution (VDBE)", r"sqlite3VdbeExec|sqlite3_step"),
    ("channel/thread hand-off", r"flume|futex|oneshot|tokio|park"),
]
INNER = [
    ("middleware (metrics, CORS, log, audit scope)", r"actix_web_prom|actix_cors|audit_refusals|err_handlers|log_request|AuditScope"),
    ("HTTP (actix)", r"actix_http::|actix_web::|actix_server|actix_router"),
    ("runtime/scheduling", r"tokio::runtime|mio::|epoll|futex|schedule"),
]
def main(path):
    out = subprocess.run(["perf", "script", "-i", path, "-F", "comm,ip,sym"], capture_output=True, text=True).stdout
    counts = collections.Counter(); total = 0
    for block in out.split("\n\n"):
        lines = [l.strip() for l in block.strip().splitlines()]
        if not lines: continue
        comm = lines[0].split()[0] if lines[0] else ""
        frames = lines[1:]
        total += 1
        if comm.startswith("sqlx-sqlite"):
            joined = "\n".join(frames)
            for c, pat in WORKER:
                if re.search(pat, joined): break
            else: c = "other"
            counts["SQLite worker: " + c] += 1; continue
        cat = "other (malloc, kernel I/O, ...)"
        joined = "\n".join(frames)
        for c, pat in CATS:
            if re.search(pat, joined): cat = c; break
        else:
            for f in frames:
                hit = next((c for c, pat in INNER if re.search(pat, f)), None)
                if hit: cat = hit; break
        counts[cat] += 1
    for c, n in counts.most_common():
        print(f"  {100*n/total:5.1f}%  {c}")
    print(f"  ({total} samples)")
if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(p); main(p)
