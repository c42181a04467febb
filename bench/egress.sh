#!/bin/bash
# bench/egress.sh: the egress proxy (issue 5), all in one run, printed as a markdown summary.
#
#   sudo bench/egress.sh         # as root (airlock run's sandboxes; perf -a)
#
# Everything runs on 127.0.0.1 of this machine: no byte leaves it. Measures, in one run:
#   1. bulk throughput of a SIZE file from a local busybox httpd (sendfile): curl direct against
#      through `airlock proxy` as an HTTP forward proxy (-x), a CONNECT tunnel (-p -x) and SOCKS5
#      (--socks5-hostname); a plain userspace relay (socat, same 64 KiB buffer) as a reference; and the
#      same three through a sandbox (`airlock run --allow-host ... -- curl`, the proxy at 127.0.0.1:3128
#      inside); and direct and CONNECT with httpd, proxy and curl pinned to one CPU (no cross-CPU
#      wake-ups: the rate is the inverse of the CPU cost). REPS repetitions, the modes interleaved
#      within each repetition; median MB/s, the ratio
#      to direct, the proxy's CPU time per GB, the whole machine's CPU time, IPIs and context switches
#      per GB; optionally (PERF=1) a perf profile of one direct and one CONNECT transfer;
#   2. time to first byte of a tiny file from a local asyncio server (no fork per request): curl
#      -w %{time_starttransfer}, LAT_REPS times per mode, modes interleaved; direct, forward, CONNECT,
#      SOCKS5, and forward from inside one sandbox (a loop of LAT_REPS curls);
#   3. concurrency: CONC (1000 and 5000) CONNECT tunnels and SOCKS5 connections held open through a
#      proxy to a local asyncio server; every one must be established (proxy's reply, server's count)
#      and relay a ping; FRESH_REPS fresh requests through the proxy and direct are timed while they are
#      held, before and after they carried data; then they are closed and the proxy must free everything.
#
# Knobs (environment): AIRLOCK OUT SIZE REPS LAT_REPS CONC CONC_MODES CONC_PAR FRESH_REPS PERF.
# Raw data (per-repetition TSVs, latency samples, concurrency JSON, perf reports, summary.md) goes to
# OUT, never the repo's tracked files. Every process the script starts (servers, proxies, socat, the
# client) runs in a process group of its own and is killed at the end, also on error or signal (trap).
# shellcheck disable=SC2046,SC2086,SC2091 # commands and options are built as strings and split into words on purpose
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

export AIRLOCK=${AIRLOCK:-$repo/build/airlock}
export OUT=${OUT:-$repo/build/bench/egress}
export SIZE=${SIZE:-512M}               # the bulk file (sparse, served from the page cache)
export REPS=${REPS:-7}                  # bulk transfers per mode
export LAT_REPS=${LAT_REPS:-300}        # time-to-first-byte samples per mode (>= 200 for the record)
export CONC=${CONC:-1000 5000}          # concurrent connections held, one test per count
export CONC_MODES=${CONC_MODES:-connect socks5}
export CONC_PAR=${CONC_PAR:-256}        # handshakes in flight while opening them
export FRESH_REPS=${FRESH_REPS:-50}     # fresh requests (proxy and direct) while the connections are held
export PERF=${PERF:-1}                  # 1: perf profile of one direct and one CONNECT transfer

HOST=api.test # the allowed name, pinned to 127.0.0.1 (--add-host), as a sandbox would use it

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Processes. Every long-lived process is started with setsid (its own process group, whose id is its
# pid) and recorded; cleanup kills those groups, and only those. Long foreground jobs run through
# `run` so that a signal is handled at once (bash defers traps while a foreground child runs).
PGIDS=()
CHILD=""
start() { # name command... -> starts it in its own group, stdout to $OUT/name.out; sets LAST_PID
	setsid "${@:2}" >"$OUT/$1.out" 2>"$OUT/$1.err" </dev/null &
	LAST_PID=$!
	PGIDS+=("$LAST_PID")
}
run() { "$@" & CHILD=$!; local rc=0; wait "$CHILD" || rc=$?; CHILD=""; return "$rc"; }
CLEANED=""
cleanup() {
	[ -z "$CLEANED" ] || return 0
	CLEANED=1
	set +e
	[ -z "$CHILD" ] || kill -TERM "$CHILD" 2>/dev/null
	for g in "${PGIDS[@]}"; do kill -TERM -- "-$g" 2>/dev/null; done
	for g in "${PGIDS[@]}"; do wait "$g" 2>/dev/null; done
	sleep 0.3
	for g in "${PGIDS[@]}"; do
		if kill -0 -- "-$g" 2>/dev/null; then
			log "process group $g ignored SIGTERM: SIGKILL"
			kill -KILL -- "-$g" 2>/dev/null
		fi
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
wait_file() { # file [tries of 0.1 s] -> waits until it is non-empty
	for _ in $(seq "${2:-100}"); do [ -s "$1" ] && return 0; sleep 0.1; done
	die "$1 stayed empty (see ${1%.out}.err)"
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# ---------------------------------------------------------------------------------------------
# Preconditions.
[ "$(id -u)" = 0 ] || die "run as root"
[ -x "$AIRLOCK" ] || die "$AIRLOCK not found: build it first (meson setup build && ninja -C build)"
for t in busybox curl python3 jq awk setsid truncate taskset; do
	command -v "$t" >/dev/null || die "$t is not installed"
done
busybox --list | grep -qx httpd || die "this busybox has no httpd applet"
HAVE_SOCAT=0
if command -v socat >/dev/null; then HAVE_SOCAT=1; fi
if [ "$PERF" = 1 ] && ! command -v perf >/dev/null; then log "perf not installed: no profile"; PERF=0; fi
mkdir -p "$OUT"
rm -f "$OUT"/*.tsv "$OUT"/lat-*.txt "$OUT"/conc-*.json "$OUT"/perf-*
# Benchmark a snapshot of the binary: a rebuild during the run must not swap it under our feet.
cp "$AIRLOCK" "$OUT/airlock.new" && mv -f "$OUT/airlock.new" "$OUT/airlock"
AIRLOCK_SRC=$AIRLOCK
AIRLOCK=$OUT/airlock
AIRLOCK_ID="$(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$repo" && git diff --quiet HEAD -- src 2>/dev/null || echo ' plus uncommitted changes in src/'), sha256 $(sha256sum "$AIRLOCK" | cut -c1-12)"

# Descriptors: the concurrency test needs, in the proxy, two sockets per connection plus the splice
# pipes; in the client and in the holding server, one per connection. Raise the soft limit to the hard
# one (raising the hard limit needs CAP_SYS_RESOURCE, which this machine's root may lack).
ulimit -n "$(ulimit -Hn)"
NOFILE=$(ulimit -n)
CONC_MAX=$(printf '%s\n' $CONC | sort -n | tail -n 1)
if [ "$NOFILE" -lt $((2 * CONC_MAX + 100)) ]; then
	die "ulimit -n is $NOFILE: too low for $CONC_MAX connections through the proxy (needs > $((2 * CONC_MAX + 100)))"
fi

# ---------------------------------------------------------------------------------------------
# Machine state.
load1() { awk '{print $1}' /proc/loadavg; }
state_line() { printf '%s CPUs, load %s, kernel %s' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(uname -r)"; }
START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
START_STATE=$(state_line)
log "machine: $START_STATE; ulimit -n $NOFILE"
if awk -v l="$(load1)" 'BEGIN { exit !(l > 0.5) }'; then
	log "WARNING: load average $(load1) > 0.5: other jobs are running and will distort the numbers"
fi

# ---------------------------------------------------------------------------------------------
# The helper: a tiny HTTP server, a server that holds connections, and the concurrency client.
cat >"$OUT/egress_helper.py" <<'EOF'
"""bench/egress.sh's helper. tiny PORT | hold PORT | client ARGS (see main)."""
import asyncio, json, os, statistics, subprocess, sys, time

BODY = b"tiny\n" * 12 + b"end\n"  # 64 bytes
TINY = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
        % len(BODY)) + BODY


class Tiny(asyncio.Protocol):
    """Answers any request with 64 bytes, then closes; no fork, no thread."""
    def connection_made(self, t):
        self.t, self.buf = t, b""

    def data_received(self, d):
        self.buf += d
        if b"\r\n\r\n" in self.buf:
            self.t.write(TINY)
            self.t.close()
            self.buf = b""


class Hold(asyncio.Protocol):
    """Holds every connection open; answers "ping" with "pong"; "count" answers how many others are open."""
    open = 0

    def connection_made(self, t):
        self.t, self.buf = t, b""
        Hold.open += 1

    def connection_lost(self, exc):
        Hold.open -= 1

    def data_received(self, d):
        self.buf += d
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            if line == b"ping":
                self.t.write(b"pong\n")
            elif line == b"count":
                self.t.write(b"%d\n" % (Hold.open - 1))
                self.t.close()
                return


async def serve(proto, port):
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(proto, "127.0.0.1", port, backlog=4096, reuse_address=True)
    print(srv.sockets[0].getsockname()[1], flush=True)
    await srv.serve_forever()


# ---------------------------------------------------------------- the client
async def handshake(mode, proxy, host, port, timeout):
    r, w = await asyncio.wait_for(asyncio.open_connection(*proxy), timeout)
    try:
        if mode == "connect":
            w.write(b"CONNECT %s:%d HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (host, port, host, port))
            head = await asyncio.wait_for(r.readuntil(b"\r\n\r\n"), timeout)
            status = head.split(b"\r\n", 1)[0]
            if status.split()[1:2] != [b"200"]:
                raise RuntimeError(status.decode(errors="replace"))
        else:
            w.write(b"\x05\x01\x00")
            if await asyncio.wait_for(r.readexactly(2), timeout) != b"\x05\x00":
                raise RuntimeError("socks greeting refused")
            w.write(b"\x05\x01\x00\x03" + bytes([len(host)]) + host + port.to_bytes(2, "big"))
            rep = await asyncio.wait_for(r.readexactly(4), timeout)
            if rep[1] != 0:
                raise RuntimeError("socks reply %d" % rep[1])
            alen = {1: 4, 4: 16}.get(rep[3])
            if alen is None:
                alen = (await r.readexactly(1))[0]
            await r.readexactly(alen + 2)
    except BaseException:
        w.close()
        raise
    return r, w


async def ping(conn, timeout):
    r, w = conn
    w.write(b"ping\n")
    return await asyncio.wait_for(r.readline(), timeout) == b"pong\n"


async def held_count(port):
    r, w = await asyncio.open_connection("127.0.0.1", port)
    w.write(b"count\n")
    n = int(await r.readline())
    w.close()
    return n


def proc_stat(pid):
    fds = len(os.listdir("/proc/%d/fd" % pid))
    rss = next(int(l.split()[1]) for l in open("/proc/%d/status" % pid) if l.startswith("VmRSS:"))
    return fds, rss


def ttfb(args):
    """(seconds to the first byte, None) or (None, why it failed: curl's error, or the status and body)."""
    p = subprocess.run(["curl", "-sS", "-w", "\\n%{http_code} %{time_starttransfer}"] + args,
                       capture_output=True, text=True)
    body, _, tail = p.stdout.rpartition("\n")
    code, t = (tail.split() + ["000", "0"])[:2]
    if p.returncode == 0 and code == "200":
        return float(t), None
    if p.returncode:
        return None, "curl exit %d: %s" % (p.returncode, p.stderr.strip()[:160])
    return None, "HTTP %s, %s" % (code, " ".join(body.split())[:160])


def fresh(reps, proxy_port, host, tiny_port):
    """reps fresh requests through the proxy (HTTP forward) and direct, interleaved."""
    via, direct = [], []
    for _ in range(reps):
        via.append(ttfb(["-x", "http://127.0.0.1:%d" % proxy_port, "http://%s:%d/" % (host.decode(), tiny_port)]))
        direct.append(ttfb(["http://127.0.0.1:%d/" % tiny_port]))
    return {"proxy": summary(via), "direct": summary(direct)}


def summary(xs):
    ok = sorted(t for t, _ in xs if t is not None)
    why = {}
    for _, e in xs:
        if e:
            why[e] = why.get(e, 0) + 1
    res = {"ok": len(ok), "failed": len(xs) - len(ok), "why": why}
    if ok:
        res.update(median_ms=statistics.median(ok) * 1e3, p90_ms=ok[min(len(ok) - 1, int(0.9 * len(ok)))] * 1e3,
                   max_ms=ok[-1] * 1e3)
    return res


async def client(mode, n, par, proxy_port, proxy_pid, host, hold_port, tiny_port, fresh_reps):
    timeout = 20
    proxy = ("127.0.0.1", proxy_port)
    res = {"mode": mode, "n": n, "par": par}
    res["proxy_fds_before"], res["proxy_rss_kib_before"] = proc_stat(proxy_pid)
    sem = asyncio.Semaphore(par)
    errors = {}

    async def one():
        async with sem:
            try:
                return await handshake(mode, proxy, host, hold_port, timeout)
            except Exception as e:  # noqa: BLE001 (every failure is counted by its kind)
                k = "%s: %s" % (type(e).__name__, e)
                errors[k] = errors.get(k, 0) + 1
                return None

    # 1. open them all; the proxy answers 200 / SOCKS5 success only once its upstream connect is done
    t0 = time.monotonic()
    conns = [c for c in await asyncio.gather(*(one() for _ in range(n))) if c]
    res["open_s"] = time.monotonic() - t0
    res["established"] = len(conns)
    res["errors"] = errors
    res["server_held_after_open"] = await held_count(hold_port)
    res["proxy_fds_open"], res["proxy_rss_kib_open"] = proc_stat(proxy_pid)
    # 2. fresh requests while they are held, not yet used
    res["fresh_open"] = fresh(fresh_reps, proxy_port, host, tiny_port)
    # 3. a ping through every one (the relay of each carries data), then fresh requests again
    t0 = time.monotonic()
    pings = await asyncio.gather(*(ping(c, timeout) for c in conns), return_exceptions=True)
    res["ping_s"] = time.monotonic() - t0
    res["relaying"] = sum(1 for p in pings if p is True)
    res["server_held"] = await held_count(hold_port)
    res["proxy_fds_held"], res["proxy_rss_kib_held"] = proc_stat(proxy_pid)
    res["fresh_held"] = fresh(fresh_reps, proxy_port, host, tiny_port)
    pings = await asyncio.gather(*(ping(c, timeout) for c in conns), return_exceptions=True)
    res["relaying_after_fresh"] = sum(1 for p in pings if p is True)
    # 4. close them all: the proxy must close every upstream connection and free its descriptors
    for _, w in conns:
        w.close()
    t0 = time.monotonic()
    left = await held_count(hold_port)
    while left and time.monotonic() - t0 < 10:
        await asyncio.sleep(0.05)
        left = await held_count(hold_port)
    res["server_held_after_close"] = left
    res["close_s"] = time.monotonic() - t0
    while proc_stat(proxy_pid)[0] > res["proxy_fds_before"] and time.monotonic() - t0 < 10:
        await asyncio.sleep(0.05)
    res["proxy_fds_after"], res["proxy_rss_kib_after"] = proc_stat(proxy_pid)
    res["proxy_fds_freed_s"] = time.monotonic() - t0
    return res


def main():
    role = sys.argv[1]
    if role in ("tiny", "hold"):
        asyncio.run(serve(Tiny if role == "tiny" else Hold, int(sys.argv[2])))
    elif role == "client":
        mode, n, par, pport, ppid, host, hport, tport, fresh = sys.argv[2:11]
        res = asyncio.run(client(mode, int(n), int(par), int(pport), int(ppid), host.encode(), int(hport),
                                 int(tport), int(fresh)))
        print(json.dumps(res))


main()
EOF

# ---------------------------------------------------------------------------------------------
# Servers and proxies.
WWW=$OUT/www
mkdir -p "$WWW"
rm -f "$WWW/big"
truncate -s "$SIZE" "$WWW/big" # sparse: read from the page cache (zero pages), no disk
BIG_BYTES=$(stat -c %s "$WWW/big")
HTTP_PORT=$(free_port)
start httpd busybox httpd -f -p "127.0.0.1:$HTTP_PORT" -h "$WWW"
HTTPD_PID=$LAST_PID
start tiny python3 "$OUT/egress_helper.py" tiny 0
TINY_PID=$LAST_PID
wait_file "$OUT/tiny.out"; TINY_PORT=$(head -n 1 "$OUT/tiny.out")
start hold python3 "$OUT/egress_helper.py" hold 0
wait_file "$OUT/hold.out"; HOLD_PORT=$(head -n 1 "$OUT/hold.out")
# The proxy of parts 1 and 2: default options (no rate, no log, default connection cap).
PROXY_ARGS="--allow-host $HOST --add-host $HOST:127.0.0.1"
start proxy "$AIRLOCK" proxy --listen 127.0.0.1:0 $PROXY_ARGS
PROXY_PID=$LAST_PID
wait_file "$OUT/proxy.out"; PROXY_ADDR=$(head -n 1 "$OUT/proxy.out")
# The proxy of part 3: the same, with the connection cap above the largest count (default 4096).
CONC_CAP=$((CONC_MAX + 1000))
start proxy-conc "$AIRLOCK" proxy --listen 127.0.0.1:0 $PROXY_ARGS --egress-max-conns "$CONC_CAP"
CPROXY_PID=$LAST_PID
wait_file "$OUT/proxy-conc.out"; CPROXY_ADDR=$(head -n 1 "$OUT/proxy-conc.out")
if [ "$HAVE_SOCAT" = 1 ]; then
	SOCAT_PORT=$(free_port)
	start socat socat -b 65536 "TCP-LISTEN:$SOCAT_PORT,bind=127.0.0.1,fork,reuseaddr" "TCP:127.0.0.1:$HTTP_PORT"
fi
SANDBOX="$AIRLOCK run $PROXY_ARGS --"
sleep 0.3
log "httpd 127.0.0.1:$HTTP_PORT, tiny 127.0.0.1:$TINY_PORT, hold 127.0.0.1:$HOLD_PORT, proxy $PROXY_ADDR (pid $PROXY_PID), concurrency proxy $CPROXY_ADDR (pid $CPROXY_PID)"

# ---------------------------------------------------------------------------------------------
# 1. Bulk throughput.
BULK_MODES="direct forward connect socks5"
if [ "$HAVE_SOCAT" = 1 ]; then BULK_MODES+=" socat"; fi
BULK_MODES+=" sandbox-forward sandbox-connect sandbox-socks5 direct-1cpu connect-1cpu"
bulk_cmd() { # mode -> the command that prints "code,size,seconds,bytes/s"
	local w="-s -o /dev/null -w %{http_code},%{size_download},%{time_total},%{speed_download}"
	local u="http://$HOST:$HTTP_PORT/big"
	case $1 in
	direct) echo "curl $w http://127.0.0.1:$HTTP_PORT/big" ;;
	forward) echo "curl $w -x http://$PROXY_ADDR $u" ;;
	connect) echo "curl $w -p -x http://$PROXY_ADDR $u" ;;
	socks5) echo "curl $w --socks5-hostname $PROXY_ADDR $u" ;;
	socat) echo "curl $w http://127.0.0.1:$SOCAT_PORT/big" ;;
	sandbox-forward) echo "$SANDBOX curl $w $u" ;; # http_proxy=http://127.0.0.1:3128 set by airlock
	sandbox-connect) echo "$SANDBOX curl $w -p -x http://127.0.0.1:3128 $u" ;;
	sandbox-socks5) echo "$SANDBOX curl $w --socks5-hostname 127.0.0.1:3128 $u" ;;
	direct-1cpu) echo "taskset -c 0 curl $w http://127.0.0.1:$HTTP_PORT/big" ;;
	connect-1cpu) echo "taskset -c 0 curl $w -p -x http://$PROXY_ADDR $u" ;;
	esac
}
# Counters around one transfer: the proxy's CPU time (ns, schedstat; single-threaded), the machine's
# busy and idle ticks (/proc/stat), rescheduling + function-call IPIs (/proc/interrupts), context switches.
counters() {
	local pcpu
	pcpu=$(awk '{print $1}' /proc/"$PROXY_PID"/schedstat)
	awk -v p="$pcpu" '
		FILENAME == "/proc/stat" && $1 == "cpu" { busy = $2 + $3 + $4 + $7 + $8; idle = $5 + $6 }
		FILENAME == "/proc/stat" && $1 == "ctxt" { ctxt = $2 }
		FILENAME == "/proc/interrupts" && ($1 == "RES:" || $1 == "CAL:") { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) ipi += $i }
		END { print p, busy, idle, ipi, ctxt }' /proc/stat /proc/interrupts
}
# *-1cpu: httpd (whose per-request children inherit it), the proxy and curl all on CPU 0, for the
# transfer only: no cross-CPU wake-ups, so the rate measures the CPU cost per byte alone.
pin() { # cpu list -> pins httpd and the proxy
	taskset -a -p -c "$1" "$HTTPD_PID" >/dev/null
	taskset -a -p -c "$1" "$PROXY_PID" >/dev/null
}
ALL_CPUS=0-$(($(nproc) - 1))
bulk_one() { # mode -> appends "MB/s proxy_cpu_ns busy_ticks idle_ticks ipis ctxt bytes" to bulk-MODE.tsv
	local c0 c1 out code size bps rc=0
	case $1 in *-1cpu) pin 0 ;; esac
	c0=$(counters)
	out=$($(bulk_cmd "$1")) || rc=$?
	c1=$(counters)
	case $1 in *-1cpu) pin "$ALL_CPUS" ;; esac
	[ "$rc" = 0 ] || die "bulk $1: $(bulk_cmd "$1") failed" 
	IFS=, read -r code size _ bps <<<"$out"
	if [ "$code" != 200 ] || [ "$size" != "$BIG_BYTES" ]; then die "bulk $1: HTTP $code, $size bytes of $BIG_BYTES"; fi
	awk -v a="$c0" -v b="$c1" -v bps="$bps" -v size="$size" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		printf "%.1f %d %d %d %d %d %d\n", bps / 1e6, y[1] - x[1], y[2] - x[2], y[3] - x[3], y[4] - x[4], y[5] - x[5], size }' \
		>>"$OUT/bulk-$1.tsv"
}
log "bulk: warm-up (page cache, every mode once)"
for m in $BULK_MODES; do bulk_one "$m"; done
rm -f "$OUT"/bulk-*.tsv
# The sandbox really has no way but the proxy: a direct connection from inside must fail.
if $SANDBOX curl -s -m 5 -o /dev/null "http://127.0.0.1:$HTTP_PORT/big" 2>/dev/null; then
	die "a sandbox reached 127.0.0.1:$HTTP_PORT of the host without the proxy"
fi
LOAD_BULK=$(load1)
log "bulk: $REPS × ($BULK_MODES), $SIZE each"
for i in $(seq "$REPS"); do
	for m in $BULK_MODES; do bulk_one "$m"; done
	log "bulk: repetition $i/$REPS: $(for m in $BULK_MODES; do printf '%s %s  ' "$m" "$(tail -n 1 "$OUT/bulk-$m.tsv" | cut -d' ' -f1)"; done)"
done

PERF_NOTE=""
if [ "$PERF" = 1 ]; then
	# cpu-clock sampling of the whole machine during one transfer (no PMU in this guest: samples land
	# where interrupts are enabled again, so irq-off time shows up at the irq-enable point).
	for m in direct connect; do
		log "perf: one $m transfer under perf record -a -g"
		if ! perf record -q -a -g -o "$OUT/perf-$m.data" -- $(bulk_cmd "$m") >"$OUT/perf-$m.curl" 2>"$OUT/perf-$m.err"; then
			PERF_NOTE="perf record failed (see $OUT/perf-$m.err)"
			break
		fi
		perf report -i "$OUT/perf-$m.data" --no-children -g none --sort comm,sym --stdio 2>/dev/null \
			| grep -E '^ +[0-9.]+%' >"$OUT/perf-$m.txt" || true
		perf report -i "$OUT/perf-$m.data" --no-children -g none --sort comm,dso --stdio 2>/dev/null \
			| grep -E '^ +[0-9.]+%' >"$OUT/perf-$m.comm.txt" || true
	done
fi

# ---------------------------------------------------------------------------------------------
# 2. Time to first byte of a tiny file.
LAT_MODES="direct forward connect socks5"
lat_args() {
	local u="http://$HOST:$TINY_PORT/"
	case $1 in
	direct) echo "http://127.0.0.1:$TINY_PORT/" ;;
	forward) echo "-x http://$PROXY_ADDR $u" ;;
	connect) echo "-p -x http://$PROXY_ADDR $u" ;;
	socks5) echo "--socks5-hostname $PROXY_ADDR $u" ;;
	esac
}
LAT_FMT='%{http_code},%{time_starttransfer},%{time_connect}\n'
for m in $LAT_MODES; do curl -s -o /dev/null -w "$LAT_FMT" $(lat_args "$m") >/dev/null; done # warm-up
LOAD_LAT=$(load1)
sched_ns() { awk '{print $1}' /proc/"$1"/schedstat; }
log "latency: $LAT_REPS × ($LAT_MODES), interleaved"
P0=$(sched_ns "$PROXY_PID") T0=$(sched_ns "$TINY_PID")
for _ in $(seq "$LAT_REPS"); do
	for m in $LAT_MODES; do curl -s -o /dev/null -w "$LAT_FMT" $(lat_args "$m") >>"$OUT/lat-$m.txt"; done
done
P1=$(sched_ns "$PROXY_PID") T1=$(sched_ns "$TINY_PID")
# CPU per request: the proxy saw the 3 proxied modes, the tiny server all 4.
PROXY_US_REQ=$(awk -v d=$((P1 - P0)) -v n=$((3 * LAT_REPS)) 'BEGIN { printf "%.0f", d / n / 1000 }')
TINY_US_REQ=$(awk -v d=$((T1 - T0)) -v n=$((4 * LAT_REPS)) 'BEGIN { printf "%.0f", d / n / 1000 }')
PROXY_SYSCALLS_REQ=""
if [ "$PERF" = 1 ]; then
	# System calls per forwarded request: a separate, untimed series with perf stat attached to the proxy.
	start perf-stat-lat perf stat -x, -e raw_syscalls:sys_enter -p "$PROXY_PID"
	PSTAT=$LAST_PID
	sleep 0.5
	for _ in $(seq "$LAT_REPS"); do curl -s -o /dev/null $(lat_args forward); done
	kill -INT "$PSTAT"; wait "$PSTAT" || true
	PROXY_SYSCALLS_REQ=$(awk -F, -v n="$LAT_REPS" '$3 ~ /sys_enter/ { printf "%.1f", $1 / n }' "$OUT/perf-stat-lat.err")
fi
log "latency: $LAT_REPS × forward from inside one sandbox"
run $SANDBOX sh -c "w='$LAT_FMT'; curl -s -o /dev/null -w \"\$w\" http://$HOST:$TINY_PORT/ >/dev/null; i=0
	while [ \$i -lt $LAT_REPS ]; do curl -s -o /dev/null -w \"\$w\" http://$HOST:$TINY_PORT/; i=\$((i + 1)); done" \
	>"$OUT/lat-sandbox-forward.txt"
LAT_MODES+=" sandbox-forward"
for m in $LAT_MODES; do
	bad=$(awk -F, '$1 != 200' "$OUT/lat-$m.txt" | wc -l)
	n=$(wc -l <"$OUT/lat-$m.txt")
	if [ "$bad" != 0 ] || [ "$n" != "$LAT_REPS" ]; then die "latency $m: $bad of $n requests failed"; fi
done

# ---------------------------------------------------------------------------------------------
# 3. Concurrency: one client per (mode, count), against the proxy with the raised cap.
LOAD_CONC=$(load1)
CONC_KEYS=()
for m in $CONC_MODES; do
	for n in $CONC; do
		log "concurrency: $n $m connections held through $CPROXY_ADDR"
		run python3 "$OUT/egress_helper.py" client "$m" "$n" "$CONC_PAR" "${CPROXY_ADDR##*:}" "$CPROXY_PID" \
			"$HOST" "$HOLD_PORT" "$TINY_PORT" "$FRESH_REPS" >"$OUT/conc-$m-$n.json" \
			|| die "concurrency client $m $n failed"
		CONC_KEYS+=("$m-$n")
		log "concurrency: $(jq -c '{established, server_held, relaying, relaying_after_fresh, open_s, proxy_fds_held, fresh_open: .fresh_open.proxy.median_ms, fresh_held: .fresh_held.proxy.median_ms, fresh_failed: .fresh_held.proxy.failed, errors}' "$OUT/conc-$m-$n.json")"
		sleep 1
	done
done

# ---------------------------------------------------------------------------------------------
# The proxies' own CPU time over the whole run, then teardown.
PROXY_CPU_S=$(awk '{printf "%.2f", $1 / 1e9}' /proc/"$PROXY_PID"/schedstat)
PROXY_RSS=$(awk '$1 == "VmHWM:" {print $2}' /proc/"$PROXY_PID"/status)
CPROXY_RSS=$(awk '$1 == "VmHWM:" {print $2}' /proc/"$CPROXY_PID"/status)
PIDS_ALL=$(for g in "${PGIDS[@]}"; do pgrep -g "$g" || true; done | tr '\n' ' ')
cleanup
LEFT=""
for p in $PIDS_ALL; do [ ! -d /proc/"$p" ] || LEFT+="${LEFT:+, }$(cat /proc/"$p"/comm 2>/dev/null) $p"; done
END_STATE=$(state_line)

# ---------------------------------------------------------------------------------------------
# Summary.
fmt() { awk -v a="$1" -v d="${2:-2}" 'BEGIN { printf "%.*f", d, a }'; }
div() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { printf "%.*f", d, a / b }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
pct() { sort -g | awk -v q="$1" '{ v[NR] = $1 } END { i = int(q * NR + 0.999999); if (i < 1) i = 1; print v[i] }'; }
col() { awk -v c="$2" '{ print $c }' "$1"; }
sumcol() { awk -v c="$2" '{ s += $c } END { print s }' "$1"; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == "le") ? v <= t : v >= t; print ok ? "met" : "**missed**" }'; }
HZ=$(getconf CLK_TCK)

declare -A BMED BMIN BMAX
for m in $BULK_MODES; do
	f=$OUT/bulk-$m.tsv
	BMED[$m]=$(col "$f" 1 | median)
	BMIN[$m]=$(col "$f" 1 | sort -g | head -n 1)
	BMAX[$m]=$(col "$f" 1 | sort -g | tail -n 1)
done
declare -A LMED LP90 LCON
for m in $LAT_MODES; do
	LMED[$m]=$(cut -d, -f2 "$OUT/lat-$m.txt" | median | awk '{ printf "%.3f", $1 * 1000 }')
	LP90[$m]=$(cut -d, -f2 "$OUT/lat-$m.txt" | pct 0.9 | awk '{ printf "%.3f", $1 * 1000 }')
	LCON[$m]=$(cut -d, -f3 "$OUT/lat-$m.txt" | median | awk '{ printf "%.3f", $1 * 1000 }')
done
WORST_BULK=1000
for m in forward connect socks5; do
	r=$(div "${BMED[$m]}" "${BMED[direct]}")
	WORST_BULK=$(awk -v a="$WORST_BULK" -v b="$r" 'BEGIN { print (b < a) ? b : a }')
done
WORST_LAT=0
for m in forward connect socks5; do
	d=$(awk -v a="${LMED[$m]}" -v b="${LMED[direct]}" 'BEGIN { printf "%.3f", a - b }')
	WORST_LAT=$(awk -v a="$WORST_LAT" -v b="$d" 'BEGIN { print (b > a) ? b : a }')
done

{
	echo "## airlock egress proxy (bench/egress.sh), $START_DATE"
	echo
	echo "Machine at start: $START_STATE. At end: $END_STATE."
	echo "1-minute load when each part started: bulk $LOAD_BULK, latency $LOAD_LAT, concurrency $LOAD_CONC."
	echo "airlock binary: $AIRLOCK_SRC (commit $AIRLOCK_ID). $(curl --version | head -n 1 | cut -d' ' -f1-2), $(busybox | head -n 1 | cut -d' ' -f1-2) httpd, Python $(python3 -c 'import platform; print(platform.python_version())')${SOCAT_PORT:+, $(socat -V 2>/dev/null | awk '/socat version/ { print "socat " $3; exit }')}."
	echo "All traffic on 127.0.0.1. Proxy: \`airlock proxy --listen 127.0.0.1:0 $PROXY_ARGS\` (no rate, no log)."
	echo
	echo "### Bulk throughput, $SIZE ($BIG_BYTES bytes) from busybox httpd (sendfile), $REPS transfers per mode, interleaved"
	echo
	echo "| mode | median MB/s | min – max | / direct | proxy CPU s/GB | machine CPU s/GB | machine busy | IPIs/GB | ctx switches/GB |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for m in $BULK_MODES; do
		f=$OUT/bulk-$m.tsv
		gb=$(awk -v b="$(sumcol "$f" 7)" 'BEGIN { print b / 1e9 }')
		pc=""
		ref=direct
		case $m in *-1cpu) ref=direct-1cpu ;; esac
		case $m in forward | connect | socks5 | connect-1cpu) pc=$(div "$(sumcol "$f" 2)" "$(awk -v g="$gb" 'BEGIN { print g * 1e9 }')") ;; esac
		busy=$(sumcol "$f" 3) idle=$(sumcol "$f" 4)
		echo "| $m | $(fmt "${BMED[$m]}" 0) | $(fmt "${BMIN[$m]}" 0) – $(fmt "${BMAX[$m]}" 0) | $(div "${BMED[$m]}" "${BMED[$ref]}") | ${pc:-} | $(div "$busy" "$(awk -v g="$gb" -v hz="$HZ" 'BEGIN { print g * hz }')") | $(div "$((100 * busy))" "$((busy + idle))" 0)% | $(div "$(sumcol "$f" 5)" "$gb" 0) | $(div "$(sumcol "$f" 6)" "$gb" 0) |"
	done
	echo
	echo "MB = 10^6 bytes; rate = curl's speed_download (bytes / total time, connection set-up included)."
	echo "forward = \`curl -x http://PROXY\`; connect = \`curl -p -x http://PROXY\`; socks5 = \`curl --socks5-hostname PROXY\`;"
	echo "socat = \`socat -b 65536 TCP-LISTEN:...,fork TCP:httpd\` (a plain userspace relay, for reference);"
	echo "sandbox-* = the same curl inside \`airlock run $PROXY_ARGS -- curl ...\` (host root), through its proxy at 127.0.0.1:3128."
	echo "machine CPU s/GB and busy: /proc/stat over the transfer ($(nproc) CPUs; for sandbox-* it includes the sandbox's start and end);"
	echo "IPIs: rescheduling + function-call interrupts (/proc/interrupts RES + CAL), all CPUs."
	echo "*-1cpu: httpd, the proxy and curl pinned to CPU 0 during the transfer (no cross-CPU wake-ups); ratio against direct-1cpu."
	echo
	if [ "$PERF" = 1 ] && [ -z "$PERF_NOTE" ]; then
		echo "### perf (cpu-clock samples, whole machine, one transfer each)"
		echo
		for m in direct connect; do
			echo "$m, by process (kernel + user): $(awk '{ sub(/%/, "", $1); t[$2] += $1; if ($3 == "[kernel.kallsyms]") k[$2] += $1; else u[$2] += $1 }
				END { for (c in t) printf "%s %.1f%% (%.1f + %.1f)\n", c, t[c], k[c], u[c] }' "$OUT/perf-$m.comm.txt" \
				| sort -t' ' -k2 -gr | head -n 5 | paste -sd';' | sed 's/;/; /g')."
			echo
			echo "| $m: top symbols | share |"
			echo "|---|---:|"
			awk 'NR <= 10 { s = $2 " " $4; for (i = 5; i <= NF; i++) s = s " " $i; printf "| %s | %s |\n", s, $1 }' "$OUT/perf-$m.txt"
			echo
		done
	elif [ -n "$PERF_NOTE" ]; then
		echo "$PERF_NOTE."
		echo
	fi
	echo "### Time to first byte, 64-byte file from an asyncio server, $LAT_REPS requests per mode (ms)"
	echo
	echo "| mode | median | p90 | median − direct | TCP connect to the first hop, median |"
	echo "|---|---:|---:|---:|---:|"
	for m in $LAT_MODES; do
		echo "| $m | ${LMED[$m]} | ${LP90[$m]} | $(awk -v a="${LMED[$m]}" -v b="${LMED[direct]}" 'BEGIN { printf "%.3f", a - b }') | ${LCON[$m]} |"
	done
	echo
	echo "curl -w %{time_starttransfer}: from curl's start to the first response byte (connect, proxy handshake,"
	echo "request, answer), process start-up excluded; %{time_connect}: from curl's start to its TCP connection to the"
	echo "server (direct) or the proxy. sandbox-forward: one \`airlock run\` running $LAT_REPS curls in a loop (http_proxy"
	echo "from airlock), against the host's direct series."
	echo
	echo "CPU time per request during the interleaved series (schedstat): proxy $PROXY_US_REQ µs per proxied request;"
	echo "the asyncio server $TINY_US_REQ µs per request (accept, read, answer, close: a reference).${PROXY_SYSCALLS_REQ:+ System calls of the proxy per forwarded request (perf stat, a separate untimed series of $LAT_REPS): $PROXY_SYSCALLS_REQ.}"
	echo
	echo "### Concurrency: connections held through \`airlock proxy ... --egress-max-conns $CONC_CAP\` (ulimit -n $NOFILE)"
	echo
	echo "| mode | asked | established | held at server | relaying a ping | still relaying at the end | open time s | proxy fds: opened → used | proxy RSS KiB: before → used | after close: upstream closed / fds back to $(jq -r .proxy_fds_before "$OUT/conc-${CONC_KEYS[0]}.json") |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for k in "${CONC_KEYS[@]}"; do
		jq -r '"| \(.mode) | \(.n) | \(.established) | \(.server_held) | \(.relaying) | \(.relaying_after_fresh) | \(.open_s * 100 | round / 100) | \(.proxy_fds_open) → \(.proxy_fds_held) | \(.proxy_rss_kib_before) → \(.proxy_rss_kib_held) | \(if .server_held_after_close == 0 then "\(.close_s * 100 | round / 100) s" else "\(.server_held_after_close) still open" end) / \(if .proxy_fds_after <= .proxy_fds_before then "\(.proxy_fds_freed_s * 100 | round / 100) s" else "\(.proxy_fds_after) fds after 10 s" end) |"' "$OUT/conc-$k.json"
	done
	echo
	echo "Fresh requests while the connections are held ($FRESH_REPS each, HTTP forward through the same proxy, and direct; ms):"
	echo
	echo "| mode | held | phase | via proxy, median / p90 | via proxy, failed | direct, median |"
	echo "|---|---:|---|---:|---:|---:|"
	for k in "${CONC_KEYS[@]}"; do
		jq -r 'def r: . * 1000 | round / 1000; def row($p; $f):
			"| \(.mode) | \(.n) | \($p) | \(if $f.proxy.ok > 0 then "\($f.proxy.median_ms | r) / \($f.proxy.p90_ms | r)" else "none" end) | \($f.proxy.failed) | \(if $f.direct.ok > 0 then $f.direct.median_ms | r else "none" end) |";
			row("opened, before any data"; .fresh_open), row("after a ping through each"; .fresh_held)' "$OUT/conc-$k.json"
	done
	echo
	for k in "${CONC_KEYS[@]}"; do
		e=$(jq -r '.errors | to_entries | map("\(.value) × \(.key)") | join("; ")' "$OUT/conc-$k.json")
		[ -z "$e" ] || echo "Errors while opening, $k: $e"
		e=$(jq -r '[.fresh_open.proxy.why, .fresh_held.proxy.why] | add | to_entries | map("\(.value) × \(.key)") | join("; ")' "$OUT/conc-$k.json")
		[ -z "$e" ] || echo "Fresh requests through the proxy that failed, $k: $e"
	done | awk '1; END { if (NR) print "" }'
	echo "Opened with at most $CONC_PAR handshakes in flight. established = the proxy's 200 / SOCKS5 success, which it"
	echo "sends after its upstream connect; held at server = the holding server's own count; relaying = a ping answered"
	echo "through the tunnel. proxy fds: /proc/PID/fd of the proxy after opening, and after the ping (the relay's"
	echo "splice pipes are made at a connection's first bytes). The soft limit is raised to the hard one, $NOFILE."
	echo
	echo "### Targets"
	echo
	echo "| figure | target | measured | |"
	echo "|---|---:|---:|---|"
	for m in forward connect socks5; do
		r=$(div "${BMED[$m]}" "${BMED[direct]}")
		echo "| bulk, $m / direct | ≥ 0.80 | $r | $(verdict "$r" 0.8 ge) |"
	done
	r=$(div "${BMED[connect-1cpu]}" "${BMED[direct-1cpu]}")
	echo "| bulk, connect / direct, all on one CPU (reference) | (≥ 0.80) | $r | $(verdict "$r" 0.8 ge) |"
	for m in sandbox-forward sandbox-connect sandbox-socks5; do
		r=$(div "${BMED[$m]}" "${BMED[direct]}")
		echo "| bulk, $m / direct from the host | ≥ 0.80 | $r | $(verdict "$r" 0.8 ge) |"
	done
	for m in forward connect socks5 sandbox-forward; do
		d=$(awk -v a="${LMED[$m]}" -v b="${LMED[direct]}" 'BEGIN { printf "%.3f", a - b }')
		echo "| added time to first byte, $m (median) | ≤ 0.3 ms | $d ms | $(verdict "$d" 0.3 le) |"
	done
	for k in "${CONC_KEYS[@]}"; do
		read -r n low fok ffail fmed <<<"$(jq -r '"\(.n) \([.established, .server_held, .relaying, .relaying_after_fresh] | min) \(.fresh_held.proxy.ok) \(.fresh_held.proxy.failed) \(.fresh_held.proxy.median_ms // "none")"' "$OUT/conc-$k.json")"
		echo "| ${k%-*} connections held (established, at the server, relaying) | $n | $low of $n | $([ "$low" = "$n" ] && echo met || echo '**missed**') |"
		if [ "$ffail" = 0 ]; then
			echo "| fresh request while $n ${k%-*} connections are held (after use) | served | $(fmt "$fmed" 3) ms median, $fok of $fok served | met |"
		else
			echo "| fresh request while $n ${k%-*} connections are held (after use) | served | $ffail of $((fok + ffail)) failed | **missed** |"
		fi
	done
	echo
	echo "Proxy CPU time over the whole run (parts 1 and 2): $PROXY_CPU_S s; peak RSS $PROXY_RSS KiB; concurrency proxy peak RSS $CPROXY_RSS KiB."
	echo "Teardown: still running afterwards: ${LEFT:-none}."
	echo "Raw data: $OUT (bulk-*.tsv: MB/s, proxy CPU ns, busy ticks, idle ticks, IPIs, context switches, bytes; lat-*.txt; conc-*.json; perf-*)."
} | tee "$OUT/summary.md"
