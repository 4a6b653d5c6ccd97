"""Every environment variable given to a service must be one the service reads.

Quarkus maps an environment variable to a property by its name: the property name upper-cased
with every character other than a letter or digit replaced by '_' (so HAM_S3_BUCKET is
ham.s3.bucket, and HAM_DATA_DIR is ham.data.dir or ham.data-dir). A variable passes when
<service>/src/main/resources/application.properties, or the configuration every service shares
(SHARED: ham-service-support's META-INF/microprofile-config.properties), names such a property (with or
without a %profile. prefix), or refers to the variable itself in a ${NAME} expression, or the variable is
one of the standard ones in ALLOWED.

Usage: check_env.py --root REPO --compose RENDERED.yml --k8s RENDERED.yaml [--k8s ...]
RENDERED.yml is the output of `docker-compose config`; each RENDERED.yaml that of `kubectl kustomize`.
Exit status 0 only when every variable of every service passes.
"""
import argparse
import re
import sys
from pathlib import Path

import yaml

# HAM_DATA_DIR is read as an environment variable by ham-core itself (Datasets.DATA_DIR_ENV), besides
# the services' optional ham.data.dir property
ALLOWED_EXACT = {"QUARKUS_PROFILE", "KAFKA_BOOTSTRAP_SERVERS", "HAM_DATA_DIR"}
ALLOWED_PREFIXES = ("JAVA_OPTS", "DJL_")
# read by every service too: the shared defaults in ham-service-support (authentication)
SHARED = Path("services/ham-service-support/src/main/resources/META-INF/microprofile-config.properties")
# compose service / Deployment name -> Maven module of the service
SERVICES = {
    "trainer-service": "trainer-service",
    "attack-service": "attack-service",
    "attack-service-gpu": "attack-service",
    "eval-service": "eval-service",
}


def env_name(prop):
    return re.sub(r"[^A-Za-z0-9]", "_", prop).upper()


def read_properties(path):
    """Names (as environment variables) that application.properties defines or refers to."""
    names = set()
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\\\r?\n\s*", "", text)  # continuation lines
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#!":
            continue
        m = re.match(r"((?:\\.|[^=:\s])+)", line)
        if not m:
            continue
        key = m.group(1).replace("\\", "")
        if key.startswith("%") and "." in key:
            key = key.split(".", 1)[1]  # %prod.quarkus.x -> quarkus.x
        names.add(env_name(key))
        for ref in re.findall(r"\$\{([A-Za-z0-9_.\-]+)", line):
            names.add(env_name(ref))
    return names


def allowed(var):
    return var in ALLOWED_EXACT or var.startswith(ALLOWED_PREFIXES)


def compose_env(path):
    doc = yaml.safe_load(Path(path).read_text())
    for name, svc in (doc.get("services") or {}).items():
        if name in SERVICES:
            env = svc.get("environment") or {}
            keys = env.keys() if isinstance(env, dict) else [e.split("=", 1)[0] for e in env]
            yield f"docker-compose service {name}", SERVICES[name], sorted(keys)


def k8s_env(path):
    docs = [d for d in yaml.safe_load_all(Path(path).read_text()) if d]
    data = {}
    for d in docs:
        if d.get("kind") in ("ConfigMap", "Secret"):
            keys = set((d.get("data") or {}).keys()) | set((d.get("stringData") or {}).keys())
            data[(d["kind"], d["metadata"]["name"])] = keys
    for d in docs:
        if d.get("kind") != "Deployment" or d["metadata"]["name"] not in SERVICES:
            continue
        name = d["metadata"]["name"]
        for c in d["spec"]["template"]["spec"].get("containers", []):
            keys = {e["name"] for e in c.get("env") or []}
            for src in c.get("envFrom") or []:
                for kind, ref in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                    if ref in src:
                        key = (kind, src[ref]["name"])
                        if key not in data:
                            raise SystemExit(f"ERROR {path}: Deployment {name} reads {kind} {key[1]}, which is not in the rendered output")
                        prefix = src.get("prefix", "")
                        keys |= {prefix + k for k in data[key]}
            yield f"{Path(path).parent.name}/{Path(path).name} Deployment {name}", SERVICES[name], sorted(keys)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", required=True, help="repository root holding <service>/src/main/resources")
    ap.add_argument("--compose", action="append", default=[])
    ap.add_argument("--k8s", action="append", default=[])
    args = ap.parse_args()

    props = {}
    problems = 0
    for module in sorted(set(SERVICES.values())):
        p = Path(args.root) / module / "src" / "main" / "resources" / "application.properties"
        if not p.is_file():
            print(f"ERROR {p} is missing: cannot check the environment given to {module}")
            problems += 1
            continue
        props[module] = read_properties(p)
        shared = Path(args.root) / SHARED
        if shared.is_file():
            props[module] |= read_properties(shared)
    if problems:
        return 1

    checked = 0
    sources = [compose_env(c) for c in args.compose] + [k8s_env(k) for k in args.k8s]
    for source in sources:
        for where, module, keys in source:
            for var in keys:
                checked += 1
                if allowed(var) or var in props[module]:
                    continue
                print(f"ERROR {where}: {var} maps to property {var.lower().replace('_', '.')}, "
                      f"which {module}/src/main/resources/application.properties does not mention")
                problems += 1
    print(f"env check: {checked} variables checked, {problems} not read by their service")
    return 0 if problems == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
