#!/bin/bash
# egress_proxy.sh: the egress proxy by itself (`airlock proxy` on a loopback port, no sandbox): HTTP
# forward, CONNECT with its SNI check, SOCKS5, the policy and its control socket, internal addresses, the
# log, the rate limit, and hostile clients (garbage, slowloris, header floods, too many connections).
# Loopback only: local servers, names pinned to 127.0.0.1, and a resolver on 127.0.0.1 that answers every
# name with 127.0.0.1 (so no query ever leaves the host).
# modes: root
. "$(dirname "$0")/../lib.sh"

for tool in python3 curl openssl; do
	command -v "$tool" >/dev/null || {
		t_begin "egress proxy"
		t_skip "needs $tool"
		exit 0
	}
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null

HELPER=$T_TMP/egress_helper.py
cat >"$HELPER" <<'EOF'
"""Local servers and clients for egress_proxy.sh: HTTP, DNS, echo; SOCKS5, control, hostile clients."""
import os, resource, selectors, socket, struct, sys, time, http.server

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

def publish(path, port):
    with open(path + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(path + ".tmp", path)

def serve_http(portfile, root):
    os.chdir(root)
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    publish(portfile, srv.server_address[1])
    srv.serve_forever()

def serve_dns(portfile):
    """Every A question gets 127.0.0.1 (a rebinding resolver); other types an empty answer."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    publish(portfile, s.getsockname()[1])
    while True:
        q, addr = s.recvfrom(512)
        i = 12
        while i < len(q) and q[i]:
            i += q[i] + 1
        if len(q) < i + 5:
            continue
        qtype = struct.unpack(">H", q[i + 1:i + 3])[0]
        answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton("127.0.0.1") if qtype == 1 else b""
        s.sendto(q[:2] + struct.pack(">HHHHH", 0x8180, 1, 1 if answer else 0, 0, 0) + q[12:i + 5] + answer, addr)

def serve_echo(portfile):
    sel = selectors.DefaultSelector()
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(4096)
    ls.setblocking(False)
    sel.register(ls, selectors.EVENT_READ)
    publish(portfile, ls.getsockname()[1])
    while True:
        for key, _ in sel.select():
            if key.fileobj is ls:
                try:
                    c, _ = ls.accept()
                except OSError:
                    continue
                c.setblocking(False)
                sel.register(c, selectors.EVENT_READ)
                continue
            try:
                data = key.fileobj.recv(65536)
            except OSError:
                data = b""
            if not data:
                sel.unregister(key.fileobj)
                key.fileobj.close()
                continue
            key.fileobj.setblocking(True)
            key.fileobj.sendall(data)
            key.fileobj.setblocking(False)

def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        d = s.recv(n - len(buf))
        if not d:
            break
        buf += d
    return buf

def socks(proxy, host, port, timeout=10):
    s = socket.create_connection(("127.0.0.1", int(proxy)), timeout=timeout)
    s.sendall(b"\x05\x01\x00")
    if recv_exact(s, 2) != b"\x05\x00":
        raise OSError("no SOCKS5 method")
    h = host.encode()
    s.sendall(b"\x05\x01\x00\x03" + bytes([len(h)]) + h + struct.pack(">H", int(port)))
    rep = recv_exact(s, 10)
    return s, rep[1] if len(rep) == 10 else -1

def cmd_socks_rep(proxy, host, port):
    s, rep = socks(proxy, host, port)
    print(rep)

def cmd_echo_bytes(proxy, host, port, n):
    """Send n bytes through SOCKS5 to the echo server, read them back, close."""
    s, rep = socks(proxy, host, port)
    data = os.urandom(int(n))
    s.sendall(data)
    back = recv_exact(s, len(data))
    s.shutdown(socket.SHUT_WR)
    rest = s.recv(1)
    print("ok" if rep == 0 and back == data and rest == b"" else "bad rep=%d got=%d" % (rep, len(back)))

def cmd_hold(proxy, host, port, n, ready):
    """n SOCKS5 tunnels to the echo server held open at once, each still working at the end."""
    conns = []
    for i in range(int(n)):
        s, rep = socks(proxy, host, port)
        if rep != 0:
            print("refused at %d (rep %d)" % (i, rep))
            return
        conns.append(s)
    open(ready, "w").close()
    time.sleep(1)
    alive = 0
    for i, s in enumerate(conns):
        msg = b"ping %d\n" % i
        s.sendall(msg)
        if recv_exact(s, len(msg)) == msg:
            alive += 1
    print("held %d" % alive)

def cmd_ctl(path, *words):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    s.send(" ".join(words).encode())
    print(s.recv(65536).decode())

def status_of(s, timeout=15):
    """The status line the proxy answers, or 'closed'."""
    s.settimeout(timeout)
    try:
        data = s.recv(4096)
    except OSError:
        return "closed"
    return data.split(b"\r\n")[0].decode(errors="replace") if data else "closed"

def cmd_garbage(proxy, kind):
    s = socket.create_connection(("127.0.0.1", int(proxy)), timeout=10)
    payload = {"binary": bytes(range(1, 256)) * 4, "tls": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
               "text": b"hello there\r\n\r\n", "nul": b"GET http://a.test/ HTTP/1.1\r\nX: a\x00b\r\n\r\n",
               "socks": b"\x05\x00", "socks-bind": b"\x05\x01\x00\x05\x02\x00\x01\x7f\x00\x00\x01\x00\x50"}[kind]
    s.sendall(payload)
    if kind == "socks":
        data = s.recv(16)
        print("closed" if data in (b"", b"\x05\xff") else repr(data))
        return
    if kind == "socks-bind":
        print(recv_exact(s, 12).hex())
        return
    print(status_of(s))

def cmd_flood(proxy):
    s = socket.create_connection(("127.0.0.1", int(proxy)), timeout=10)
    head = b"GET http://a.test/ HTTP/1.1\r\n"
    try:
        s.sendall(head)
        while len(head) < 64 * 1024:
            s.sendall(b"X-Flood: " + b"a" * 100 + b"\r\n")
            head += b"x" * 111
    except OSError:
        pass
    print(status_of(s))

def cmd_slowloris(proxy, n):
    """n clients dribbling a head one byte a second; prints what each got at the end."""
    conns = [socket.create_connection(("127.0.0.1", int(proxy))) for _ in range(int(n))]
    for s in conns:
        s.sendall(b"GET http://a.test/ HTTP/1.1\r\n")
    results = {}
    t0 = time.time()
    while conns and time.time() - t0 < 20:
        for s in list(conns):
            try:
                s.sendall(b"X")
            except OSError:
                results["closed"] = results.get("closed", 0) + 1
                conns.remove(s)
                continue
            s.setblocking(False)
            try:
                data = s.recv(4096)
                line = data.split(b"\r\n")[0].decode() if data else "closed"
                results[line] = results.get(line, 0) + 1
                conns.remove(s)
            except BlockingIOError:
                pass
            s.setblocking(True)
        time.sleep(1)
    print("after %.0fs: %s" % (time.time() - t0, sorted(results.items())))

def cmd_overflow(proxy, held, extra):
    """held idle connections, then extra more: how many of these are closed at once."""
    keep = [socket.create_connection(("127.0.0.1", int(proxy))) for _ in range(int(held))]
    time.sleep(0.3)
    refused = 0
    for _ in range(int(extra)):
        s = socket.create_connection(("127.0.0.1", int(proxy)))
        s.settimeout(2)
        try:
            if s.recv(1) == b"":
                refused += 1
        except (socket.timeout, ConnectionResetError):
            refused += isinstance(sys.exc_info()[1], ConnectionResetError)
        s.close()
    alive = 0
    for s in keep:
        s.setblocking(False)
        try:
            s.recv(1)
        except BlockingIOError:
            alive += 1
    print("held %d refused %d" % (alive, refused))

commands = {"http": serve_http, "dns": serve_dns, "echo": serve_echo, "socks-rep": cmd_socks_rep,
            "echo-bytes": cmd_echo_bytes, "hold": cmd_hold, "ctl": cmd_ctl, "garbage": cmd_garbage,
            "flood": cmd_flood, "slowloris": cmd_slowloris, "overflow": cmd_overflow}
commands[sys.argv[1]](*sys.argv[2:])
EOF

helper() { python3 "$HELPER" "$@"; }

# A server in the background that publishes its port in a file; prints the port.
start_server() { # NAME ARGS...
	local name=$1
	shift
	python3 "$HELPER" "$name" "$T_TMP/$name.port" "$@" >/dev/null 2>&1 &
	echo "$!" >>"$T_TMP/.lib/bg.pids" # called in $(...): T_BG_PIDS would be the subshell's
	wait_for 10 test -s "$T_TMP/$name.port" && cat "$T_TMP/$name.port"
}

www=$(t_mkdir www)
echo "hello through the proxy" >"$www/index.txt"
head -c 3000000 /dev/urandom >"$www/blob3m"
HTTP_PORT=$(start_server http "$www")
DNS_PORT=$(start_server dns)
ECHO_PORT=$(start_server echo)
TLS_PORT=$((20000 + RANDOM % 20000))
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=a.test -addext "subjectAltName=DNS:a.test,DNS:b.test" \
	-keyout "$T_TMP/key.pem" -out "$T_TMP/cert.pem" -days 1 >/dev/null 2>&1
openssl s_server -accept "127.0.0.1:$TLS_PORT" -cert "$T_TMP/cert.pem" -key "$T_TMP/key.pem" -www -quiet \
	</dev/null >/dev/null 2>&1 &
T_BG_PIDS="${T_BG_PIDS:-} $!"
wait_for 10 sh -c "ss -ltn | grep -q '127.0.0.1:$TLS_PORT '"

LOG=$T_TMP/egress.log
PINS=(--add-host a.test:127.0.0.1 --add-host b.test:127.0.0.1 --add-host ok.a.test:127.0.0.1
	--add-host bad.a.test:127.0.0.1 --add-host w.test:127.0.0.1 --add-host sub.w.test:127.0.0.1
	--add-host evil.test:127.0.0.1)
CURL=(curl -sS --max-time 20)

# `airlock proxy` on a free loopback port with the test resolver; sets PROXY_PORT and PROXY_PID.
start_proxy() { # ARGS...
	: >"$LOG"
	"$AIRLOCK" proxy --listen 127.0.0.1:0 --name box1 --dns-server "127.0.0.1:$DNS_PORT" --egress-log "$LOG" \
		"$@" >"$T_TMP/proxy.out" 2>"$T_TMP/proxy.err" &
	PROXY_PID=$!
	T_BG_PIDS="${T_BG_PIDS:-} $PROXY_PID"
	wait_for 5 grep -q : "$T_TMP/proxy.out"
	PROXY_PORT=$(sed -n 's/^127.0.0.1://p' "$T_TMP/proxy.out")
	[ -n "$PROXY_PORT" ] || t_fail "the proxy did not start: $(_short "$(cat "$T_TMP/proxy.err")")"
}

stop_proxy() {
	kill -0 "$PROXY_PID" 2>/dev/null || t_fail "the proxy died: $(_short "$(cat "$T_TMP/proxy.err")")"
	kill "$PROXY_PID" 2>/dev/null
	wait "$PROXY_PID" 2>/dev/null
	_al_sanitizer_check
}

# The proxy writes a connection's line when it ends: wait until COUNT (default 1) lines match ERE.
log_wait() { # ERE [COUNT]
	wait_for 5 sh -c "[ \$(grep -cE '$1' '$LOG') -ge ${2:-1} ]" || t_fail "no ${2:-1} log lines matching $1"
}

# The JSON log line of the last connection to HOST.
last_log() { # HOST
	grep "\"host\":\"$1\"" "$LOG" | tail -n1
}

t_begin "the usage and refusals of the verb"
al proxy --help
assert_status 0
assert_contains "$AL_OUT" "--allow-host"
al proxy --listen 0.0.0.0:0
assert_airlock_error "loopback"
al proxy --allow-host '*.com'
assert_airlock_error '"*.com"'
al proxy --egress-rate 10furlongs
assert_airlock_error "unit"
al proxy --add-host nocolon
assert_airlock_error "nocolon"
t_end

start_proxy --allow-host a.test --allow-host '*.a.test' --deny-host bad.a.test --allow-host '*.w.test' \
	--allow-host "b.test:$HTTP_PORT" --allow-host "evil.test:1" "${PINS[@]}"

t_begin "HTTP forward: an allowed host is reachable and the body arrives intact"
out=$("${CURL[@]}" -x "http://127.0.0.1:$PROXY_PORT" "http://a.test:$HTTP_PORT/index.txt")
assert_eq "hello through the proxy" "$out" "body"
"${CURL[@]}" -x "http://127.0.0.1:$PROXY_PORT" "http://a.test:$HTTP_PORT/blob3m" -o "$T_TMP/blob.got"
cmp -s "$www/blob3m" "$T_TMP/blob.got" || t_fail "3 MB through the proxy differ"
t_end

t_begin "HTTP forward: a denied host gets 403 naming the host, the port and how to allow it"
out=$("${CURL[@]}" -x "http://127.0.0.1:$PROXY_PORT" -w '\n%{http_code} %{content_type}' "http://nope.test:$HTTP_PORT/")
assert_contains "$out" "403 text/plain" "status and type"
assert_contains "$out" "egress to nope.test:$HTTP_PORT denied for sandbox box1 (no --allow-host rule matches)"
assert_contains "$out" "airlock network allow box1 nope.test (or --allow-host nope.test when creating the sandbox)"
log_wait '"host":"nope.test"'
line=$(last_log nope.test)
assert_eq "deny default-deny GET" "$(jq -r '"\(.decision) \(.rule) \(.method)"' <<<"$line")" "log"
t_end

t_begin "deny rules win over allow rules, and the denial names the rule"
out=$("${CURL[@]}" -x "http://127.0.0.1:$PROXY_PORT" -w '\n%{http_code}' "http://bad.a.test:$HTTP_PORT/index.txt")
assert_contains "$out" "403"
assert_contains "$out" "denied by --deny-host bad.a.test"
out=$("${CURL[@]}" -x "http://127.0.0.1:$PROXY_PORT" "http://ok.a.test:$HTTP_PORT/index.txt")
assert_eq "hello through the proxy" "$out" "a sibling the wildcard allows"
t_end

t_begin "a wildcard allows subdomains, not the apex; a port in a pattern is that port only"
code=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$PROXY_PORT" "http://sub.w.test:$HTTP_PORT/index.txt")
assert_eq 200 "$code" "sub.w.test"
code=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$PROXY_PORT" "http://w.test:$HTTP_PORT/index.txt")
assert_eq 403 "$code" "w.test (the apex)"
code=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$PROXY_PORT" "http://b.test:$HTTP_PORT/index.txt")
assert_eq 200 "$code" "b.test on its port"
code=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$PROXY_PORT" "http://evil.test:$HTTP_PORT/index.txt")
assert_eq 403 "$code" "evil.test on another port"
t_end

t_begin "CONNECT: HTTPS passes through untouched"
out=$("${CURL[@]}" -k --proxy "http://127.0.0.1:$PROXY_PORT" -w '\n%{http_code}' "https://a.test:$TLS_PORT/")
assert_contains "$out" "200" "status"
assert_contains "$out" "s_server" "the TLS server's own page"
log_wait '"method":"CONNECT","host":"a.test"'
line=$(last_log a.test | grep CONNECT)
assert_eq "allow a.test sni a.test" "$(jq -r '"\(.decision) \(.rule) \(.tls) \(.sni)"' <<<"$line")" "log"
code=$("${CURL[@]}" -k --proxy "http://127.0.0.1:$PROXY_PORT" -o /dev/null -w '%{http_connect}' "https://nope.test:$TLS_PORT/" 2>/dev/null)
assert_eq 403 "$code" "CONNECT to a denied host"
t_end

t_begin "CONNECT: a ClientHello naming another server than the CONNECT host is refused"
out=$(echo | timeout 10 openssl s_client -proxy "127.0.0.1:$PROXY_PORT" -connect "a.test:$TLS_PORT" -servername b.test 2>&1)
assert_not_contains "$out" "BEGIN CERTIFICATE" "handshake with a mismatched SNI"
log_wait sni-mismatch
line=$(grep sni-mismatch "$LOG" | tail -n1)
assert_eq "deny sni-mismatch b.test" "$(jq -r '"\(.decision) \(.rule) \(.sni)"' <<<"$line")" "log"
out=$(echo | timeout 10 openssl s_client -proxy "127.0.0.1:$PROXY_PORT" -connect "a.test:$TLS_PORT" -servername a.test 2>&1)
assert_contains "$out" "BEGIN CERTIFICATE" "handshake with the right SNI"
t_end

t_begin "SOCKS5 with domain names: allowed hosts relay, denied ones get REP 2 (not allowed by ruleset)"
out=$("${CURL[@]}" --socks5-hostname "127.0.0.1:$PROXY_PORT" "http://a.test:$HTTP_PORT/index.txt")
assert_eq "hello through the proxy" "$out" "body"
"${CURL[@]}" --socks5-hostname "127.0.0.1:$PROXY_PORT" "http://nope.test:$HTTP_PORT/" >/dev/null 2>&1
assert_eq 97 "$?" "curl's exit status"
assert_eq 2 "$(helper socks-rep "$PROXY_PORT" nope.test 80)" "REP"
assert_eq 0 "$(helper socks-rep "$PROXY_PORT" a.test "$ECHO_PORT")" "REP of an allowed host"
assert_eq "050005070001000000000000" "$(helper garbage "$PROXY_PORT" socks-bind)" "BIND: command not supported"
assert_eq closed "$(helper garbage "$PROXY_PORT" socks)" "no method offered"
t_end

t_begin "the log: one JSON line per connection with the bytes relayed each way"
: >"$LOG"
hdr=$("${CURL[@]}" -x "http://127.0.0.1:$PROXY_PORT" -o /dev/null -w '%{size_header} %{size_download}' \
	"http://a.test:$HTTP_PORT/blob3m")
assert_eq ok "$(helper echo-bytes "$PROXY_PORT" a.test "$ECHO_PORT" 123457)" "echo through SOCKS5"
log_wait '"method":"GET"'
log_wait SOCKS5
http_line=$(grep '"GET"' "$LOG" | tail -n1)
socks_line=$(grep SOCKS5 "$LOG" | tail -n1)
assert_eq "$((${hdr% *} + ${hdr#* }))" "$(jq -r .bytes_down <<<"$http_line")" "HTTP bytes_down (head + body)"
assert_match "$(jq -r .bytes_up <<<"$http_line")" '^[1-9][0-9]*$' "HTTP bytes_up"
assert_eq "123457 123457" "$(jq -r '"\(.bytes_up) \(.bytes_down)"' <<<"$socks_line")" "SOCKS5 bytes"
assert_eq "box1 SOCKS5 a.test $ECHO_PORT allow a.test" \
	"$(jq -r '"\(.sandbox) \(.method) \(.host) \(.port) \(.decision) \(.rule)"' <<<"$socks_line")" "fields"
assert_match "$(jq -r .time <<<"$socks_line")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$' "time"
assert_match "$(jq -r .duration_ms <<<"$socks_line")" '^[0-9]+$' "duration_ms"
bad=$(jq -c 'select((.decision != "allow" and .decision != "deny") or .rule == null)' "$LOG")
assert_eq "" "$bad" "lines without a decision"
t_end

t_begin "internal addresses: an unpinned name resolving to 127.0.0.1 is refused, a pinned one is not"
stop_proxy
start_proxy --allow-host localhost --allow-host rebind.test --allow-host '*'
out=$("${CURL[@]}" -x "http://127.0.0.1:$PROXY_PORT" -w '\n%{http_code}' "http://localhost:$HTTP_PORT/index.txt")
assert_contains "$out" "403" "localhost (from /etc/hosts)"
assert_contains "$out" "internal address 127.0.0.1" "the denial"
out=$("${CURL[@]}" -x "http://127.0.0.1:$PROXY_PORT" -w '\n%{http_code}' "http://rebind.test:$HTTP_PORT/index.txt")
assert_contains "$out" "403" "a name a resolver points at 127.0.0.1"
code=$("${CURL[@]}" -x "http://127.0.0.1:$PROXY_PORT" -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/index.txt")
assert_eq 403 "$code" "the literal 127.0.0.1 allowed only by '*'"
assert_eq 2 "$(helper socks-rep "$PROXY_PORT" rebind.test "$ECHO_PORT")" "SOCKS5 REP"
log_wait '"rule":"internal-address"' 4
stop_proxy
start_proxy --allow-host localhost --add-host localhost:127.0.0.1 --allow-host 127.0.0.1
out=$("${CURL[@]}" -x "http://127.0.0.1:$PROXY_PORT" "http://localhost:$HTTP_PORT/index.txt")
assert_eq "hello through the proxy" "$out" "pinned localhost"
out=$("${CURL[@]}" -x "http://127.0.0.1:$PROXY_PORT" "http://127.0.0.1:$HTTP_PORT/index.txt")
assert_eq "hello through the proxy" "$out" "the literal named by an allow rule"
t_end

t_begin "a failed connect answers 502 (SOCKS5: REP 5) and is logged"
closed_port=$((HTTP_PORT == 1 ? 2 : 1))
out=$("${CURL[@]}" -x "http://127.0.0.1:$PROXY_PORT" -w '\n%{http_code}' "http://localhost:$closed_port/")
assert_contains "$out" "502" "status"
assert_contains "$out" "could not connect to localhost:$closed_port" "body"
assert_eq 5 "$(helper socks-rep "$PROXY_PORT" localhost "$closed_port")" "SOCKS5 REP"
log_wait connect-failed 2
assert_eq "allow connect-failed" "$(jq -r '"\(.decision) \(.rule)"' <<<"$(last_log localhost)")" "log"
stop_proxy
t_end

t_begin "the rate limit holds within 10% (one transfer, and two sharing it)"
start_proxy --egress-rate 8mbit --allow-host a.test "${PINS[@]}"
speed=$("${CURL[@]}" -x "http://127.0.0.1:$PROXY_PORT" -o /dev/null -w '%{speed_download}' "http://a.test:$HTTP_PORT/blob3m")
speed=${speed%.*}
assert_le 900000 "$speed" "bytes/s of one transfer (8mbit = 1000000)"
assert_le "$speed" 1100000 "bytes/s of one transfer (8mbit = 1000000)"
t0=$(date +%s.%N)
"${CURL[@]}" -x "http://127.0.0.1:$PROXY_PORT" -o /dev/null "http://a.test:$HTTP_PORT/blob3m" &
"${CURL[@]}" -x "http://127.0.0.1:$PROXY_PORT" -o /dev/null "http://a.test:$HTTP_PORT/blob3m"
wait $!
t1=$(date +%s.%N)
total=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", 6000000 / (b - a) }')
assert_le 900000 "$total" "bytes/s of two transfers together"
assert_le "$total" 1100000 "bytes/s of two transfers together"
stop_proxy
t_end

t_begin "the control socket: allow, deny and ls change the decisions of new connections"
start_proxy --control "$T_TMP/ctl.sock" "${PINS[@]}"
assert_eq "" "$(helper ctl "$T_TMP/ctl.sock" ls)" "no rules yet"
code=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$PROXY_PORT" "http://a.test:$HTTP_PORT/index.txt")
assert_eq 403 "$code" "before"
assert_eq ok "$(helper ctl "$T_TMP/ctl.sock" allow '*.a.test')" "allow"
assert_eq ok "$(helper ctl "$T_TMP/ctl.sock" allow a.test)" "allow"
code=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$PROXY_PORT" "http://a.test:$HTTP_PORT/index.txt")
assert_eq 200 "$code" "after allow"
assert_eq ok "$(helper ctl "$T_TMP/ctl.sock" deny A.test)" "deny"
code=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$PROXY_PORT" "http://a.test:$HTTP_PORT/index.txt")
assert_eq 403 "$code" "after deny"
code=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$PROXY_PORT" "http://ok.a.test:$HTTP_PORT/index.txt")
assert_eq 200 "$code" "the wildcard still allows a subdomain"
assert_eq $'allow *.a.test\nallow a.test\ndeny a.test' "$(helper ctl "$T_TMP/ctl.sock" ls)" "ls"
assert_contains "$(helper ctl "$T_TMP/ctl.sock" allow '*.com')" 'error: host pattern "*.com"' "a bad pattern"
assert_contains "$(helper ctl "$T_TMP/ctl.sock" frobnicate)" "error: unknown command" "a bad command"
stop_proxy
t_end

t_begin "garbage, slowloris and header floods get 400/408/431 and do not wedge the proxy"
start_proxy --allow-host a.test "${PINS[@]}"
helper slowloris "$PROXY_PORT" 30 >"$T_TMP/slowloris.out" &
slow=$!
sleep 0.5
for kind in binary tls text nul; do
	assert_contains "$(helper garbage "$PROXY_PORT" "$kind")" "400 Bad Request" "$kind"
done
assert_contains "$(helper flood "$PROXY_PORT")" "431" "a 64 KiB head"
t0=$(date +%s%N)
out=$("${CURL[@]}" -x "http://127.0.0.1:$PROXY_PORT" "http://a.test:$HTTP_PORT/index.txt")
assert_eq "hello through the proxy" "$out" "a good client amid the slow ones"
assert_le $((($(date +%s%N) - t0) / 1000000)) 2000 "ms the good client waited"
wait "$slow"
assert_contains "$(cat "$T_TMP/slowloris.out")" "('HTTP/1.1 408 Request Timeout', 30)" "the slow ones"
out=$("${CURL[@]}" -x "http://127.0.0.1:$PROXY_PORT" "http://a.test:$HTTP_PORT/index.txt")
assert_eq "hello through the proxy" "$out" "a good client afterwards"
log_wait '"rule":"timeout"' 30
stop_proxy
t_end

t_begin "over --egress-max-conns, connections are closed at once, and the proxy recovers"
start_proxy --egress-max-conns 10 --allow-host a.test "${PINS[@]}"
assert_eq "held 10 refused 5" "$(helper overflow "$PROXY_PORT" 10 5)" "10 idle, 5 more"
out=$("${CURL[@]}" -x "http://127.0.0.1:$PROXY_PORT" "http://a.test:$HTTP_PORT/index.txt")
assert_eq "hello through the proxy" "$out" "a good client afterwards"
refused_logged() { jq -s 'map(select(.rule == "max-conns") | .refused) | add' "$LOG"; }
wait_for 5 sh -c "[ \"\$(jq -s 'map(select(.rule == \"max-conns\") | .refused) | add' '$LOG')\" = 5 ]"
assert_eq 5 "$(refused_logged)" "refusals logged (at most a line a second)"
stop_proxy
t_end

t_begin "2,000 concurrent idle connections are held (and a new client is served meanwhile)"
start_proxy --allow-host a.test "${PINS[@]}"
helper hold "$PROXY_PORT" a.test "$ECHO_PORT" 2000 "$T_TMP/hold.ready" >"$T_TMP/hold.out" 2>&1 &
hold=$!
wait_for 60 test -e "$T_TMP/hold.ready" || t_fail "2000 tunnels not open within 60 s: $(cat "$T_TMP/hold.out")"
out=$("${CURL[@]}" -x "http://127.0.0.1:$PROXY_PORT" "http://a.test:$HTTP_PORT/index.txt")
assert_eq "hello through the proxy" "$out" "a good client while 2000 are held"
wait "$hold"
assert_eq "held 2000" "$(cat "$T_TMP/hold.out")" "tunnels still echoing"
stop_proxy
t_end
