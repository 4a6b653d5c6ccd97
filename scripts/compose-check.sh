#!/usr/bin/env bash
# The docker-compose stack, run for real where no container registry is reachable (CI runs it from .ci/run):
#   1. Debian's docker engine and docker-compose (installed if missing; dockerd started if none answers, and stopped
#      again at the end), kcat,
#      s3cmd and psql on the host;
#   2. every image built offline on a debootstrap Debian base, each rebuilt only when its inputs change
#      (deploy/compose/ci/README.md): Kafka (KRaft) from the jars Maven resolves, S3Proxy for MinIO, Debian's
#      PostgreSQL, a JRE the three services' Dockerfiles take as BASE;
#   3. `up` of docker-compose.yml + deploy/compose/ci/docker-compose.ci.yml, health of every service;
#   4. a HAM job submitted over REST on 127.0.0.1 (a dev token), attack-service scaled to 2 mid-job and both seen
#      attacking, the job COMPLETED; its class-wise result read from ham.eval.results with kcat on the published
#      port, its checkpoint listed with s3cmd, its result row queried with psql;
#      and the job's dashboard page, its chart library and its data served by the stack's eval-service, the page
#      rendered in a headless Chromium drawing the REST numbers (deploy/compose/ci/dashboard_check.py);
#      trainer-service in `quarkus:dev` against the stack, with nothing but its %dev settings;
#   5. `down -v`, and no container, network or volume of the project left; the dockerd it started, stopped.
# Needs root (apt-get, dockerd) and the services' fast-jars (built here if missing). Exit status 0 only when all
# of it held. HAM_COMPOSE_KEEP=1 leaves the stack running for a look (then: docker-compose -p hamci ... down -v).
set -euo pipefail
cd "$(dirname "$0")/.."
PROJECT=hamci
CI_DIR=deploy/compose/ci
COMPOSE=(docker-compose -p "$PROJECT" -f docker-compose.yml -f "$CI_DIR/docker-compose.ci.yml")
START=$(date +%s)
say() { printf '[compose-check %4ds] %s\n' "$(( $(date +%s) - START ))" "$*"; }
fail() { say "FAILED: $*"; exit 1; }

# ---- 1. tools and the engine
need=()
command -v dockerd > /dev/null || need+=(docker.io)
command -v docker-compose > /dev/null || need+=(docker-compose)
command -v debootstrap > /dev/null || need+=(debootstrap)
command -v kcat > /dev/null || need+=(kcat)
command -v s3cmd > /dev/null || need+=(s3cmd)
command -v psql > /dev/null || need+=(postgresql-client)
command -v chromium > /dev/null || need+=(chromium)
command -v chromedriver > /dev/null || need+=(chromium-driver)
/usr/bin/python3 -c 'import selenium' 2> /dev/null || need+=(python3-selenium) # Debian's python, not a pyenv one
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" > /dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" > /dev/null; }
fi
started_engine=0
if ! docker info > /dev/null 2>&1; then
  say "starting dockerd (log: /var/log/ham-dockerd.log); stopped again when the check ends"
  # detached, holding none of this script's streams (the images stay cached on disk for the next run)
  setsid nohup dockerd --pidfile /var/run/ham-dockerd.pid < /dev/null > /var/log/ham-dockerd.log 2>&1 &
  started_engine=1
  for _ in $(seq 60); do docker info > /dev/null 2>&1 && break; sleep 1; done
  docker info > /dev/null 2>&1 || fail "dockerd did not answer within 60 s (see /var/log/ham-dockerd.log)"
fi
# the engine this check started does not outlive it; one that was already running is left alone
stop_engine() {
  [ "$started_engine" = 1 ] && [ -f /var/run/ham-dockerd.pid ] || return 0
  local pid; pid=$(cat /var/run/ham-dockerd.pid)
  kill "$pid" 2> /dev/null || true
  for _ in $(seq 60); do kill -0 "$pid" 2> /dev/null || break; sleep 1; done
  kill -0 "$pid" 2> /dev/null && { say "dockerd $pid did not stop within 60 s"; return 1; }
  say "stopped the dockerd this check started"
}

# ---- 2. images
have_image() { docker image inspect "$1" > /dev/null 2>&1; }
# a content tag: the first argument, then the files named (or stdin for "-") hashed
tag() { printf '%s' "$1" | cat - "${@:2}" | sha256sum | cut -c1-12; }
# sed stops at the first URIs line itself, with no `| head -1`: under pipefail, head closing the pipe before sed
# writes the second line would fail the check with SIGPIPE (rc 141)
mirror=$(sed -n '/^URIs:/{s/^URIs: *//p;q}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || fail "no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
suite=bookworm
debian=ham-ci/debian:$(tag "$mirror $suite minbase slim v3")
if ! have_image "$debian"; then
  say "debootstrap $suite from $mirror"
  rootfs=$(mktemp -d)
  debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" > /tmp/ham-debootstrap.log 2>&1 \
    || { tail -20 /tmp/ham-debootstrap.log; fail "debootstrap failed"; }
  # slim, as Debian's -slim images are: no downloaded packages, package lists, docs, man pages or translations,
  # and dpkg told to leave the latter out of whatever the images install on top
  rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
         "$rootfs"/usr/share/locale/* "$rootfs"/usr/share/info/*
  mkdir -p "$rootfs"/usr/share/man/man1 # update-alternatives fails without it (openjdk's postinst links its page there)
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' 'path-exclude /usr/share/man/*' \
         'path-exclude /usr/share/locale/*' 'path-exclude /usr/share/info/*' > "$rootfs"/etc/dpkg/dpkg.cfg.d/90-ham-slim
  tar -C "$rootfs" -c . | docker import - "$debian" > /dev/null
  rm -rf "$rootfs"
fi
build() { # image-name context dockerfile-args...
  local name=$1 context=$2; shift 2
  if ! have_image "$name"; then
    say "building $name"
    docker build -q -t "$name" "$@" "$context" > /tmp/ham-docker-build.log 2>&1 \
      || { tail -30 /tmp/ham-docker-build.log; fail "docker build of $name failed"; }
  fi
}
jre=ham-ci/jre:$(tag "$debian" "$CI_DIR/jre/Dockerfile")
build "$jre" "$CI_DIR/jre" --build-arg DEBIAN="$debian"
clients=ham-ci/clients:$(tag "$debian" "$CI_DIR/clients/Dockerfile")
build "$clients" "$CI_DIR/clients" --build-arg DEBIAN="$debian"
postgres=ham-ci/postgres:$(tag "$debian" "$CI_DIR/postgres/Dockerfile" "$CI_DIR/postgres/entrypoint.sh")
build "$postgres" "$CI_DIR/postgres" --build-arg DEBIAN="$debian"
for image in kafka s3proxy; do
  mvn -B -q -ntp -f "$CI_DIR/$image/pom.xml" package > /tmp/ham-ci-mvn.log 2>&1 \
    || { tail -30 /tmp/ham-ci-mvn.log; fail "resolving the jars of the $image image failed"; }
done
kafka=ham-ci/kafka:$(ls "$CI_DIR/kafka/target/libs" | tag "$jre" - "$CI_DIR"/kafka/Dockerfile "$CI_DIR"/kafka/*.sh "$CI_DIR"/kafka/bin/*)
build "$kafka" "$CI_DIR/kafka" --build-arg JRE="$jre"
s3=ham-ci/s3:$(ls "$CI_DIR/s3proxy/target/libs" | tag "$jre" - "$CI_DIR"/s3proxy/Dockerfile "$CI_DIR"/s3proxy/*.sh "$CI_DIR"/s3proxy/logback.xml)
build "$s3" "$CI_DIR/s3proxy" --build-arg JRE="$jre"
for svc in trainer-service attack-service eval-service; do
  if [ ! -f "$svc/target/quarkus-app/quarkus-run.jar" ]; then
    say "building the services' fast-jars"
    mvn -B -q -ntp -o package -DskipTests -pl trainer-service,attack-service,eval-service -am > /dev/null \
      || mvn -B -q -ntp package -DskipTests -pl trainer-service,attack-service,eval-service -am
    break
  fi
done
export HAM_CI_JRE=$jre HAM_CI_KAFKA=$kafka HAM_CI_S3=$s3 HAM_CI_POSTGRES=$postgres HAM_CI_CLIENTS=$clients
export HAM_DATA_DIR=${HAM_DATA_DIR:-/usr/share/datasets}
[ -d "$HAM_DATA_DIR/fashion-mnist" ] || fail "no fashion-mnist under HAM_DATA_DIR=$HAM_DATA_DIR"
say "building the service images on $jre"
"${COMPOSE[@]}" build -q > /tmp/ham-compose-build.log 2>&1 \
  || { tail -30 /tmp/ham-compose-build.log; fail "docker-compose build failed"; }

# ---- 3. up
dump() {
  say "logs (last lines of each service):"
  "${COMPOSE[@]}" ps || true
  "${COMPOSE[@]}" logs --no-color --tail 40 || true
}
cleanup() {
  local rc=$?
  if [ $rc -ne 0 ]; then dump; fi
  if [ "${HAM_COMPOSE_KEEP:-}" != "1" ]; then
    "${COMPOSE[@]}" down -v --remove-orphans > /dev/null 2>&1 || true
    stop_engine || true
  fi
  exit $rc
}
trap cleanup EXIT
"${COMPOSE[@]}" down -v --remove-orphans > /dev/null 2>&1 || true # what an interrupted run left
say "up"
"${COMPOSE[@]}" up -d > /dev/null 2>&1 || fail "docker-compose up failed"
healthy() { [ "$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$1" 2>/dev/null)" = healthy ]; }
container() { "${COMPOSE[@]}" ps -q "$1" | sed -n 1p; }  # sed reads all: no SIGPIPE under pipefail
for svc in kafka minio postgres trainer-service attack-service eval-service; do
  for _ in $(seq 120); do healthy "$(container "$svc")" && break; sleep 2; done
  healthy "$(container "$svc")" || fail "$svc is not healthy after 4 minutes"
  say "$svc healthy"
done

# ---- 4. a job through it, from the host
token=$(bash scripts/dev-token.sh)
auth=(-H "Authorization: Bearer $token")
# 144 steps, ~80 s here: a second worker started mid-job (~60 s to start on the loaded machine) usually joins it
submit() {
  curl -fsS "${auth[@]}" -H 'Content-Type: application/json' http://127.0.0.1:8080/jobs -d '{"dataset":"fashion-mnist",
  "model":"tiny-cnn","method":"ham","epochs":3,"warmup_epochs":1,"lr":0.01,"train_subset":6144,"batch_size":128,
  "test_subset":500,"shards_per_batch":4,"eval_attacks":["pgd-20"]}' | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p'
}
job=$(submit)
[ -n "$job" ] || fail "POST /jobs returned no job id"
say "job $job submitted"
state() { curl -fsS "${auth[@]}" "http://127.0.0.1:8080/jobs/$job" | sed -n 's/.*"state" *: *"\([A-Z_]*\)".*/\1/p'; }
for _ in $(seq 120); do [ "$(state)" = RUNNING ] && break; sleep 1; done
say "job $(state); scaling attack-service to 2"
"${COMPOSE[@]}" up -d --no-recreate --scale attack-service=2 attack-service > /dev/null 2>&1 || fail "scaling failed"
examples() { # examples attacked by one worker container, from its metrics
  docker exec "$1" curl -fsS -H "Authorization: Bearer $token" http://127.0.0.1:8081/q/metrics 2>/dev/null \
    | awk '/^ham_attack_examples_total/ { n += $2 } END { print int(n) }'
}
both_attacked() { # true once every worker container has attacked something
  local busy=0 workers
  workers=$("${COMPOSE[@]}" ps -q attack-service)
  for w in $workers; do [ "$(examples "$w")" -gt 0 ] && busy=$((busy + 1)); done
  [ "$busy" -ge 2 ]
}
both=0
for _ in $(seq 300); do
  both_attacked && { both=1; break; }
  case "$(state)" in COMPLETED|FAILED|CANCELLED) break ;; esac
  sleep 2
done
if [ "$both" = 0 ]; then
  # the job ended before the new worker read a request (its start raced the job's end): once both workers are
  # healthy, a second job of the same kind is shared by them, whatever the timing; the checks below follow it
  for w in $("${COMPOSE[@]}" ps -q attack-service); do
    for _ in $(seq 120); do healthy "$w" && break; sleep 2; done
  done
  job=$(submit)
  [ -n "$job" ] || fail "POST /jobs returned no job id"
  say "the first job ended before the second worker joined it; job $job submitted to both"
  for _ in $(seq 300); do
    both_attacked && { both=1; break; }
    case "$(state)" in COMPLETED|FAILED|CANCELLED) break ;; esac
    sleep 2
  done
fi
for w in $("${COMPOSE[@]}" ps -q attack-service); do
  say "worker $(docker inspect -f '{{.Name}}' "$w"): $(examples "$w") examples attacked"
done
[ "$both" = 1 ] || fail "the two attack workers did not both attack during the job"
for _ in $(seq 600); do case "$(state)" in COMPLETED|FAILED|CANCELLED) break ;; esac; sleep 2; done
[ "$(state)" = COMPLETED ] || fail "job $job ended $(state): $(curl -fsS "${auth[@]}" "http://127.0.0.1:8080/jobs/$job")"
say "job COMPLETED"

# the prod profile logs JSON lines (what a log collector parses): every service's, and the trainer's and eval-service's about this job
for svc in trainer-service eval-service attack-service; do
  docker logs "$("${COMPOSE[@]}" ps -q "$svc" | head -1)" 2>&1 | /usr/bin/python3 -c '
import json, sys
svc, job = sys.argv[1], sys.argv[2]
records, other = [], 0
for line in sys.stdin:
    try:
        records.append(json.loads(line))
    except ValueError:
        other += 1  # what the JVM or a native library prints itself, not a log record
if not records or any(not {"timestamp", "level", "loggerName", "message"} <= r.keys() for r in records):
    sys.exit(f"{svc}: no JSON log records, or records without timestamp/level/loggerName/message")
if svc in ("trainer-service", "eval-service") and not any(job in r["message"] for r in records):
    sys.exit(f"{svc}: no JSON log record names job {job}")
print(f"[compose-check] {svc}: {len(records)} JSON log records, {other} other lines")
' "$svc" "$job" || fail "the $svc log is not JSON lines"
done

# every epoch's evaluation (epochs count from 0 on the topic), as a consumer of the public topic sees it
results() {
  kcat -b 127.0.0.1:29092 -C -t ham.eval.results -o beginning -e -q -f '%k\t%s\n' 2>/dev/null \
    | awk -F'\t' -v j="$job" '$1 == j { print $2 }'
}
for _ in $(seq 150); do [ "$(results | wc -l)" -ge 3 ] && break; sleep 2; done
[ "$(results | wc -l)" -ge 3 ] || fail "ham.eval.results has $(results | wc -l) of the 3 evaluations of job $job"
python3 - "$(results | tail -1)" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
print(f"[compose-check] ham.eval.results (kcat): job {r['job_id']} epoch {r['epoch']}, {r.get('test_examples')} test "
      f"examples, classes {r['classes']}")
for name, acc in [("clean", r["clean_accuracy"])] + sorted(r.get("robust_by_attack", {}).items()):
    print(f"  {name}: average {acc['average']:.3f}, worst {acc['worst']:.3f}, per class "
          + " ".join(f"{a:.2f}" for a in acc["per_class"]))
PY
checkpoints=$(s3cmd --host=127.0.0.1:9000 --host-bucket=127.0.0.1:9000 --no-ssl --access_key=ham-dev \
  --secret_key=ham-dev-secret ls "s3://ham/jobs/$job/checkpoints/")
say "checkpoints in S3 (s3cmd):"; echo "$checkpoints"
case "$checkpoints" in *epoch-3.npz*) ;; *) fail "s3cmd lists no epoch-3.npz for job $job" ;; esac
rows=$(PGPASSWORD=ham-dev psql -h 127.0.0.1 -U ham -d ham_eval -Atc \
  "select epoch, status, round(clean_average::numeric, 3), round(robust_worst::numeric, 3), attack from eval_results
   where job_id = '$job' order by epoch")
say "eval_results rows (psql), epoch|status|clean average|robust worst|attack:"; echo "$rows"
[ "$(echo "$rows" | grep -c '|EVALUATED|')" = 3 ] || fail "PostgreSQL has not 3 EVALUATED rows for job $job"

# the dashboard of the stack's eval-service: the job's page and its chart library are served, and the data it
# draws from (with the viewer's token) lists the job
page=$(curl -fsS "http://127.0.0.1:8082/dashboard/jobs/$job") || fail "GET /dashboard/jobs/$job failed"
case "$page" in *"$job"*) ;; *) fail "the dashboard page of job $job does not name it" ;; esac
script=$(printf '%s' "$page" | grep -o '[^"]*webjars/echarts/[^"]*echarts.min.js' | sed -n 1p)
[ -n "$script" ] && curl -fsS -o /dev/null "http://127.0.0.1:8082/${script#/}" || fail "the dashboard's chart library is not served"
curl -fsS "${auth[@]}" http://127.0.0.1:8082/results/jobs | grep -q "$job" || fail "/results/jobs does not list job $job"
say "dashboard: http://127.0.0.1:8082/dashboard/jobs/$job served, with ECharts and its data"
# and rendered in a headless Chromium: what its charts draw equals what the REST API answers
mkdir -p out/compose-check
bash scripts/dev-token.sh --role ham-viewer > out/compose-check/viewer-token
/usr/bin/python3 "$CI_DIR/dashboard_check.py" http://127.0.0.1:8082 "$job" out/compose-check/viewer-token \
  out/compose-check/dashboard-job.png || fail "the dashboard, rendered in Chromium, does not draw the REST numbers"

# ---- 4b. %dev against the stack: trainer-service in Quarkus dev mode on the host, with nothing but its %dev settings
# (the stack's published ports and local-development credentials), is ready (Kafka, PostgreSQL and S3 reached) and
# serves the job from the stack's database. Through ./mvnw: quarkus:dev needs Maven 3.9, Debian's is 3.8. (Not
# eval-service: its dev mode needs io.quarkus.qute:qute-debug, which the registries here do not serve.)
say "./mvnw quarkus:dev -pl trainer-service -am against the stack"
devlog=/tmp/ham-quarkus-dev.log
setsid ./mvnw -B -ntp quarkus:dev -pl trainer-service -am -Dquarkus.http.port=18080 -Ddebug=false \
  -Dquarkus.console.enabled=false > "$devlog" 2>&1 < /dev/null &
devpid=$!
stop_dev() { kill -- -"$devpid" 2> /dev/null || true; wait "$devpid" 2> /dev/null || true; }
for _ in $(seq 150); do
  curl -fsS -o /dev/null http://127.0.0.1:18080/q/health/ready 2> /dev/null && break
  kill -0 "$devpid" 2> /dev/null || break
  sleep 2
done
if ! curl -fsS -o /dev/null http://127.0.0.1:18080/q/health/ready 2> /dev/null; then
  tail -40 "$devlog"; stop_dev; fail "quarkus:dev of trainer-service did not become ready against the stack (log: $devlog)"
fi
dev_state=$(curl -fsS "http://127.0.0.1:18080/jobs/$job" | sed -n 's/.*"state" *: *"\([A-Z_]*\)".*/\1/p')
stop_dev
[ "$dev_state" = COMPLETED ] || fail "quarkus:dev of trainer-service reads job $job as '$dev_state', not COMPLETED"
say "quarkus:dev: trainer-service in dev mode was ready against the stack and read job $job as COMPLETED"

# ---- 5. down, and nothing left
trap - EXIT
if [ "${HAM_COMPOSE_KEEP:-}" = "1" ]; then say "left running (HAM_COMPOSE_KEEP=1)"; exit 0; fi
"${COMPOSE[@]}" down -v --remove-orphans > /dev/null 2>&1 || fail "docker-compose down failed"
left=$(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT"; \
       docker volume ls -q --filter "label=com.docker.compose.project=$PROJECT"; \
       docker network ls -q --filter "label=com.docker.compose.project=$PROJECT")
[ -z "$left" ] || fail "left after down -v: $left"
stop_engine || fail "the dockerd this check started did not stop"
say "down -v: no container, volume or network of project $PROJECT left; all checks held"
