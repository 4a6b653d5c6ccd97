#!/usr/bin/env bash
# Offline checks of how the system is run: docker-compose.yml and the kustomize overlays.
# Needs no container engine and no cluster. Exit status non-zero on any problem.
#
# Needs installed (this script installs nothing):
#   apt-get install -y docker-compose python3-yaml    # Compose v1 parser (1.29), PyYAML for /usr/bin/python3
#   kubectl (with its built-in kustomize; on this machine from the image), java 17, a Java 21+ under /usr/lib/jvm
#   (or VALIDATOR_JAVA) for Strimzi 1.2's model, mvn, node + npm
# Resolves from the registries when run (like any build): Maven Central jars of
# deploy/validator/pom.xml (dependency:build-classpath, never installs) and the npm packages pinned in
# deploy/validator/keda/package-lock.json (npm ci into deploy/validator/keda/node_modules).
#
# Steps:
#   1. compose: `docker-compose config -q` (schema of the Compose file), with and without the gpu profile
#   2. kustomize: `kubectl kustomize` renders the base and every overlay
#   3. kubernetes objects, strict (unknown fields are errors):
#      built-in kinds and Strimzi (Kafka, KafkaNodePool, KafkaTopic, KafkaUser): deploy/validator/ManifestValidator.java
#      (Strimzi 1.2's model: resources must be kafka.strimzi.io/v1, the only version Strimzi 1.x serves, and a field
#      v1 dropped is unknown)
#      KEDA ScaledObject, TriggerAuthentication: deploy/validator/keda/validate-keda.mjs
#   4. policy: placeholder-only secrets, hardened containers, KEDA max = partitions of ham.attack.requests
#   5. environment: every variable given to a service is read by it (deploy/check_env.py); needs each
#      service's src/main/resources/application.properties. DEPLOY_CHECK_SKIP_ENV=1 skips this step
#      (loudly) while the services are not there yet.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
PY=/usr/bin/python3   # Debian's python3, where python3-yaml installs PyYAML

step() { printf '\n== %s\n' "$*"; }

step "tools"
missing=0
for tool in docker-compose kubectl java mvn node npm "$PY"; do
  if ! command -v "$tool" > /dev/null 2>&1; then
    echo "ERROR: $tool not found"; missing=1
  fi
done
if ! "$PY" -c 'import yaml' 2> /dev/null; then echo "ERROR: PyYAML missing for $PY (apt-get install -y python3-yaml)"; missing=1; fi
[ "$missing" = 0 ] || exit 1
echo "docker-compose $(docker-compose version --short), $(kubectl version --client 2>/dev/null | tr '\n' ' ')"

step "1. docker-compose.yml (docker-compose $(docker-compose version --short) parser, no engine)"
docker-compose -f docker-compose.yml config -q
docker-compose -f docker-compose.yml --profile gpu config -q
docker-compose -f docker-compose.yml --profile gpu config > "$WORK/compose.yml"
echo "ok: docker-compose.yml is valid; services: $(docker-compose -f docker-compose.yml --profile gpu config --services | tr '\n' ' ')"

step "2. kustomize render"
OVERLAYS=(dev prod gpu dev-gpu-keda)
kubectl kustomize deploy/base > "$WORK/base.yaml"
echo "ok: deploy/base ($(grep -c '^kind:' "$WORK/base.yaml") objects)"
rendered=()
for o in "${OVERLAYS[@]}"; do
  kubectl kustomize "deploy/overlays/$o" > "$WORK/$o.yaml"
  rendered+=("$WORK/$o.yaml")
  echo "ok: deploy/overlays/$o ($(grep -c '^kind:' "$WORK/$o.yaml") objects)"
done

step "3a. built-in kinds and Strimzi CRDs (Kubernetes Java client 24 / Strimzi api 1.2 models, kafka.strimzi.io/v1 only, strict)"
mvn -B -q -f deploy/validator/pom.xml dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" > "$WORK/mvn.log" 2>&1 \
  || { cat "$WORK/mvn.log"; exit 1; }
# Strimzi 1.x's model is built for Java 21: the validator runs on a Java 21+ (VALIDATOR_JAVA, else the first under
# /usr/lib/jvm), the services stay on 17
VJAVA="${VALIDATOR_JAVA:-}"
if [ -z "$VJAVA" ]; then
  for j in /usr/lib/jvm/*/bin/java; do
    v=$("$j" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
    if [ "${v%%.*}" -ge 21 ] 2> /dev/null; then VJAVA="$j"; break; fi
  done
fi
[ -n "$VJAVA" ] || { echo "ERROR: Strimzi 1.2's model needs Java 21 or newer: none under /usr/lib/jvm; set VALIDATOR_JAVA"; exit 1; }
"$VJAVA" -cp "$(cat "$WORK/cp.txt")" deploy/validator/ManifestValidator.java \
  --skip-kind keda.sh/v1alpha1/ScaledObject --skip-kind keda.sh/v1alpha1/TriggerAuthentication "${rendered[@]}" 2> "$WORK/validator.err" \
  || { grep -v '^SLF4J' "$WORK/validator.err" || true; exit 1; }

step "3a'. the validator refuses what Strimzi 1.x refuses: a v1beta2 resource, a v1 Kafka with a field v1 dropped"
cat > "$WORK/old-api.yaml" <<'YAML'
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaTopic
metadata: {name: t, labels: {strimzi.io/cluster: c}}
spec: {partitions: 1, replicas: 1}
YAML
cat > "$WORK/removed-field.yaml" <<'YAML'
apiVersion: kafka.strimzi.io/v1
kind: Kafka
metadata: {name: c}
spec:
  kafka:
    replicas: 3
    listeners: [{name: plain, port: 9092, type: internal, tls: false}]
YAML
for bad in old-api:"is not served by Strimzi 1.x" removed-field:"unknown field(s) [replicas] at Kafka.spec.kafka"; do
  file="$WORK/${bad%%:*}.yaml"; expect="${bad#*:}"
  if "$VJAVA" -cp "$(cat "$WORK/cp.txt")" deploy/validator/ManifestValidator.java "$file" > "$WORK/bad.out" 2>&1 \
      || ! grep -qF "$expect" "$WORK/bad.out"; then
    echo "ERROR: the validator passed ${bad%%:*}.yaml or did not say \"$expect\":"; cat "$WORK/bad.out"; exit 1
  fi
  echo "ok: ${bad%%:*}.yaml refused ($expect)"
done

step "3b. KEDA (@kubernetes-models/keda, generated from KEDA's CRDs, plus unknown-field probe)"
npm ci --prefix deploy/validator/keda --no-audit --no-fund --loglevel=error > "$WORK/npm.log" 2>&1 \
  || { cat "$WORK/npm.log"; exit 1; }
node deploy/validator/keda/validate-keda.mjs "${rendered[@]}"

step "4. policy"
"$PY" - "${rendered[@]}" <<'EOF'
import sys, yaml
bad = 0
def err(msg):
    global bad
    bad += 1
    print("ERROR", msg)
for path in sys.argv[1:]:
    name = path.rsplit("/", 1)[-1]
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    for d in docs:
        kind, meta = d["kind"], d["metadata"]
        if kind == "Secret":
            for k, v in {**(d.get("stringData") or {}), **(d.get("data") or {})}.items():
                if any(w in k for w in ("PASSWORD", "SECRET", "KEY")) and v != "REPLACE_ME":
                    err(f"{name} Secret {meta['name']}: {k} must be the placeholder REPLACE_ME")
        if kind in ("Deployment", "StatefulSet", "Job"):
            pod = d["spec"]["template"]["spec"]
            if not (pod.get("securityContext") or {}).get("runAsNonRoot"):
                err(f"{name} {kind} {meta['name']}: pod securityContext.runAsNonRoot is not true")
            for c in pod["containers"]:
                sc = c.get("securityContext") or {}
                if sc.get("allowPrivilegeEscalation") is not False or not sc.get("readOnlyRootFilesystem") \
                        or "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
                    err(f"{name} {kind} {meta['name']}/{c['name']}: needs allowPrivilegeEscalation false, "
                        "readOnlyRootFilesystem, drop ALL")
                if not (c.get("resources") or {}).get("limits"):
                    err(f"{name} {kind} {meta['name']}/{c['name']}: no resource limits")
                if kind == "Deployment" and not (c.get("livenessProbe") and c.get("readinessProbe")):
                    err(f"{name} Deployment {meta['name']}: needs liveness and readiness probes")
    parts = {d["spec"]["topicName"]: d["spec"]["partitions"] for d in docs if d["kind"] == "KafkaTopic"}
    if "ham.attack.requests" not in parts:
        err(f"{name}: no KafkaTopic ham.attack.requests")
    for d in docs:
        if d["kind"] == "ScaledObject":
            mx = d["spec"]["maxReplicaCount"]
            if mx != parts.get("ham.attack.requests"):
                err(f"{name}: ScaledObject maxReplicaCount {mx} != partitions of ham.attack.requests {parts.get('ham.attack.requests')}")
    print(f"ok: {name} policy checked" if bad == 0 else f"{name}: {bad} problem(s) so far")
sys.exit(1 if bad else 0)
EOF

step "5. environment variables read by each service"
if [ "${DEPLOY_CHECK_SKIP_ENV:-0}" = 1 ]; then
  echo "SKIPPED (DEPLOY_CHECK_SKIP_ENV=1): environment variables were NOT checked against application.properties"
else
  k8s_args=()
  for o in "${OVERLAYS[@]}"; do k8s_args+=(--k8s "$WORK/$o.yaml"); done
  "$PY" deploy/check_env.py --root "$ROOT" --compose "$WORK/compose.yml" "${k8s_args[@]}"
fi

printf '\ndeploy/check.sh: all checks passed\n'
