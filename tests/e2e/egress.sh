#!/bin/bash
# egress.sh: a sandbox reaches only the hosts it is allowed, through its own egress proxy (HTTP, CONNECT,
# SOCKS5), every denial explained; direct connections go nowhere; policy changes on a running sandbox;
# a proxy that dies closes the door. Loopback only: the names are pinned to 127.0.0.1 with --add-host.
# modes: root user asan
. "$(dirname "$0")/../lib.sh"

export AIRLOCK_STATE_ROOT="$T_TMP/state"
mkdir -p "$AIRLOCK_STATE_ROOT"
[ "$T_MODE" = user ] && chown "$T_UID:$T_GID" "$AIRLOCK_STATE_ROOT"

# Local servers on the host's loopback: HTTP (python) and HTTPS (openssl, self-signed).
www=$(t_mkdir www)
echo "hello from api" >"$www/index.txt"
head -c 300000 /dev/urandom >"$www/blob"
http_port=$((20000 + RANDOM % 10000))
https_port=$((http_port + 1))
(cd "$www" && exec python3 -m http.server --bind 127.0.0.1 "$http_port") >/dev/null 2>&1 &
T_BG_PIDS="${T_BG_PIDS:-} $!"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=secure.test -keyout "$T_TMP/key.pem" -out "$T_TMP/cert.pem" \
	-days 1 >/dev/null 2>&1
openssl s_server -accept "127.0.0.1:$https_port" -cert "$T_TMP/cert.pem" -key "$T_TMP/key.pem" -www -quiet \
	>/dev/null 2>&1 &
T_BG_PIDS="${T_BG_PIDS:-} $!"
wait_for 10 sh -c "ss -ltn | grep -q '127.0.0.1:$https_port ' && ss -ltn | grep -q '127.0.0.1:$http_port '" ||
	echo "setup: the local servers did not start" >&2

PINS=(--add-host api.test:127.0.0.1 --add-host other.test:127.0.0.1 --add-host a.api.test:127.0.0.1
	--add-host secure.test:127.0.0.1 --add-host evil.test:127.0.0.1)
CURL=(curl -s -S --max-time 10)

t_begin "an allowed host is reachable through the proxy; a denied one gets 403 and the reason"
snapshot_host
al run --allow-host api.test "${PINS[@]}" -- /bin/sh -c \
	"${CURL[*]} http://api.test:$http_port/index.txt; echo; ${CURL[*]} -i http://other.test:$http_port/index.txt"
assert_status 0
assert_contains "$AL_OUT" "hello from api" "allowed"
assert_contains "$AL_OUT" "403" "denied"
assert_contains "$AL_OUT" "other.test:$http_port" "the denial names the host"
assert_contains "$AL_OUT" "--allow-host other.test" "and the option that would allow it"
assert_no_leaks
t_end

t_begin "the proxy's environment is set; NO_PROXY keeps loopback local"
al run --allow-host api.test -- /bin/sh -c 'echo $HTTP_PROXY $https_proxy $ALL_PROXY $NO_PROXY'
assert_eq "http://127.0.0.1:3128 http://127.0.0.1:3128 socks5h://127.0.0.1:3128 localhost,127.0.0.1" "$AL_OUT"
t_end

t_begin "HTTPS through CONNECT; a mismatching SNI is refused"
al run --allow-host secure.test "${PINS[@]}" -- "${CURL[@]}" -k "https://secure.test:$https_port/"
assert_status 0 "curl through CONNECT"
assert_contains "$AL_OUT" "s_server" "the TLS server's page"
al run --allow-host secure.test "${PINS[@]}" -- /bin/sh -c \
	"${CURL[*]} -k --connect-to secure.test:$https_port:secure.test:$https_port -H 'Host: x' https://evil.test:$https_port/ 2>&1; echo rc=\$?"
assert_not_contains "$AL_OUT" "s_server" "a denied CONNECT host"
al run --allow-host secure.test "${PINS[@]}" -- /bin/sh -c \
	"echo | openssl s_client -proxy 127.0.0.1:3128 -connect secure.test:$https_port -servername evil.test 2>&1 | grep -c 'BEGIN CERTIFICATE'"
assert_eq "0" "$AL_OUT" "CONNECT secure.test with SNI evil.test gets no TLS session"
al run --allow-host secure.test "${PINS[@]}" -- /bin/sh -c \
	"echo | openssl s_client -proxy 127.0.0.1:3128 -connect secure.test:$https_port -servername secure.test 2>&1 | grep -c 'BEGIN CERTIFICATE'"
assert_eq "1" "$AL_OUT" "the matching SNI does (the control case)"
t_end

t_begin "SOCKS5 with a domain name"
al run --allow-host api.test "${PINS[@]}" -- "${CURL[@]}" -x socks5h://127.0.0.1:3128 "http://api.test:$http_port/index.txt"
assert_eq "hello from api" "$AL_OUT" "allowed through SOCKS5"
al run --allow-host api.test "${PINS[@]}" -- /bin/sh -c \
	"${CURL[*]} -x socks5h://127.0.0.1:3128 http://other.test:$http_port/index.txt 2>&1; echo rc=\$?"
assert_not_contains "$AL_OUT" "hello from api" "denied through SOCKS5"
assert_contains "$AL_OUT" "rc=97" "curl reports the SOCKS refusal"
t_end

t_begin "deny beats allow; a wildcard matches subdomains, not the apex"
al run --allow-host '*.api.test' --allow-host other.test --deny-host other.test "${PINS[@]}" -- /bin/sh -c \
	"for h in a.api.test api.test other.test; do printf '%s ' \$h; ${CURL[*]} -o /dev/null -w '%{http_code}\n' http://\$h:$http_port/index.txt; done"
assert_contains "$AL_OUT" "a.api.test 200"
assert_contains "$AL_OUT" "api.test 403"
assert_contains "$AL_OUT" "other.test 403"
t_end

t_begin "connections that bypass the proxy go nowhere"
al run --allow-host '*' "${PINS[@]}" -- /bin/sh -c \
	"${CURL[*]} --noproxy '*' http://127.0.0.1:$http_port/index.txt 2>&1; echo rc=\$?; ${CURL[*]} --noproxy '*' --max-time 3 http://192.0.2.1/ 2>&1; echo rc=\$?"
assert_not_contains "$AL_OUT" "hello from api" "the host's loopback is not the sandbox's"
assert_contains "$AL_OUT" "rc=7" "refused"
t_end

t_begin "bad patterns are refused at the command line"
for p in '*.com' '*.*' 'a..b' 'api.test:0' 'api.test:70000' ''; do
	al run --allow-host "$p" -- /bin/true
	assert_status 125 "--allow-host '$p'"
done
al run --egress-log /tmp/x -- /bin/true
assert_status 125 "--egress-log without a rule"
t_end

t_begin "--egress-log: one JSON line per connection with byte counts"
log="$T_TMP/egress.log"
: >"$log"
[ "$T_MODE" = user ] && chown "$T_UID" "$log"
al run --allow-host api.test --egress-log "$log" "${PINS[@]}" -- /bin/sh -c \
	"${CURL[*]} -o /dev/null http://api.test:$http_port/blob; ${CURL[*]} -o /dev/null http://other.test:$http_port/blob"
assert_eq "2" "$(grep -c . "$log")" "two connections, two lines"
assert_eq "allow deny" "$(jq -r .decision "$log" | tr '\n' ' ' | sed 's/ $//')" "decisions"
down=$(jq -r 'select(.decision=="allow") | .bytes_down' "$log")
[ "${down:-0}" -ge 300000 ] || t_fail "bytes_down $down < the 300000-byte body"
assert_eq "api.test" "$(jq -r 'select(.decision=="allow") | .host' "$log")"
t_end

t_begin "a running sandbox's policy changes without a restart"
al run -d --name pol --allow-host api.test "${PINS[@]}" -- /bin/sleep 1000
assert_status 0
al exec pol "${CURL[@]}" -o /dev/null -w '%{http_code}' "http://other.test:$http_port/index.txt"
assert_eq "403" "$AL_OUT" "before"
al network allow pol other.test
assert_status 0
al exec pol "${CURL[@]}" -o /dev/null -w '%{http_code}' "http://other.test:$http_port/index.txt"
assert_eq "200" "$AL_OUT" "after network allow"
al network deny pol api.test
al exec pol "${CURL[@]}" -o /dev/null -w '%{http_code}' "http://api.test:$http_port/index.txt"
assert_eq "403" "$AL_OUT" "after network deny"
al network ls pol
assert_contains "$AL_OUT" "allow other.test"
assert_contains "$AL_OUT" "deny api.test"
al network allow pol '*.com'
assert_status 125 "a bad pattern"
al network allow nosuch api.test
assert_status 1
t_end

t_begin "a proxy that dies closes the door, and only its own sandbox's"
al run -d --name pol2 --allow-host api.test "${PINS[@]}" -- /bin/sleep 1000
pid1=$(AL_TIMEOUT=5 al inspect -f '{{.State.Pid}}' pol; echo "$AL_OUT")
mon=$(awk '{print $4}' "/proc/$pid1/stat")
proxy=$(pgrep -P "$mon" | grep -vx "$pid1" | head -n1)
[ -n "$proxy" ] || t_fail "no proxy process found under the monitor"
[ -n "$proxy" ] && kill -KILL "$proxy"
sleep 0.2
al exec pol /bin/sh -c "${CURL[*]} http://api.test:$http_port/index.txt 2>&1; echo rc=\$?"
assert_not_contains "$AL_OUT" "hello from api" "no egress once the proxy is gone"
al inspect -f '{{.State.Running}}' pol
assert_eq "true" "$AL_OUT" "the sandbox itself goes on"
al exec pol2 "${CURL[@]}" "http://api.test:$http_port/index.txt"
assert_eq "hello from api" "$AL_OUT" "another sandbox's proxy is unaffected"
al rm -f pol pol2
t_end
