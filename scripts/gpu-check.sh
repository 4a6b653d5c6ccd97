#!/usr/bin/env bash
# The GPU build of attack-service, checked. `-Pgpu` bundles no native library in the application and unpacks
# PyTorch 2.5.1's CUDA 12.4 one (ai.djl.pytorch:pytorch-native-cu124, 2.5 GB download, 3.8 GB unpacked) to
# attack-service/target/pytorch-native, on the same DJL 0.33 / PyTorch 2.5.1 as the CPU build; Dockerfile.gpu puts it
# in the image and names it to DJL with PYTORCH_LIBRARY_PATH / PYTORCH_FLAVOR, as this script does on the host.
#
#   bash scripts/gpu-check.sh                 the build holds the CUDA library, whole; where an NVIDIA driver is
#                                             installed, the engine loads it and computes (on the CPU at least)
#   bash scripts/gpu-check.sh --require-gpu   ... and must see a GPU and compute on it (run it on a GPU machine)
#   bash scripts/gpu-check.sh --image         ... then builds ham/attack-service-gpu:dev from Dockerfile.gpu
#                                             (BASE=<image> to build on another JRE image); with --require-gpu also
#                                             runs the report inside it (docker run --gpus all)
# Afterwards attack-service/target holds the GPU build; a plain `mvn package` makes the CPU one again.
# Never part of `mvn verify` or .ci/run (the download is 2.5 GB).
set -euo pipefail
cd "$(dirname "$0")/.."
require_gpu=0 image=0
for a in "$@"; do
  case "$a" in
    --require-gpu) require_gpu=1 ;;
    --image) image=1 ;;
    *) echo "unknown option $a (see the head of $0)" >&2; exit 2 ;;
  esac
done
say() { echo "gpu-check: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

say "building attack-service with -Pgpu"
mvn -B -q -ntp -Pgpu package -DskipTests -pl attack-service -am
lib=attack-service/target/quarkus-app/lib/main
native=attack-service/target/pytorch-native
cuda=$native/pytorch/cu124/linux-x86_64
if ls "$lib" | grep -q 'pytorch-native'; then fail "the -Pgpu application carries a native library jar: $(ls "$lib" | grep pytorch-native)"; fi
# every library the jar's own index lists is there
listed=$(sed -n 's/^libraries=//p' "$native/native/lib/pytorch.properties" | tr ',' ' ')
[ -n "$listed" ] || fail "no library list in $native/native/lib/pytorch.properties"
for f in $listed; do [ -s "$cuda/$f" ] || fail "the CUDA library set lacks $f"; done
grep -qx 'flavor=cu124' "$native/native/lib/pytorch.properties" || fail "the unpacked library is not the cu124 build"
say "the build holds PyTorch's CUDA 12.4 library, all $(wc -w <<< "$listed") files ($(du -sh "$cuda" | cut -f1)), and no native jar"

report() { # EngineReport with the unpacked library, as the image runs it
  DJL_CACHE_DIR="$PWD/attack-service/target/djl-cache" PYTORCH_LIBRARY_PATH="$PWD/$cuda" PYTORCH_VERSION=2.5.1 \
    PYTORCH_FLAVOR=cu124 java -Dai.djl.offline=true -cp "$lib/*" org.hamkafka.core.model.EngineReport 2>&1 \
    | grep -v '^SLF4J'
}
if ldconfig -p | grep -q 'libcuda\.so\.1'; then
  out=$(report) || { echo "$out" >&2; fail "the engine did not load the CUDA library"; }
  echo "$out"
  grep -qx 'flavor cu124' <<< "$out" || fail "the engine loaded another library than the CUDA 12.4 one"
  grep -qx 'matmul on cpu() ok' <<< "$out" || fail "a matrix product on the CPU came out wrong"
  if [ "$require_gpu" = 1 ]; then
    grep -qE '^gpus [1-9]' <<< "$out" || fail "the engine sees no GPU (driver? NVIDIA_VISIBLE_DEVICES?)"
    grep -qx 'matmul on gpu(0) ok' <<< "$out" || fail "a matrix product on the GPU came out wrong"
  fi
else
  # libtorch_cuda needs the driver's libcuda.so.1 just to load
  [ "$require_gpu" = 0 ] || fail "no NVIDIA driver (libcuda.so.1) on this machine"
  say "no NVIDIA driver (libcuda.so.1) here: loading the CUDA library was not tried"
fi
if [ "$image" = 1 ]; then
  docker build -f attack-service/src/main/docker/Dockerfile.gpu ${BASE:+--build-arg BASE="$BASE"} \
      -t ham/attack-service-gpu:dev attack-service
  docker image ls ham/attack-service-gpu:dev
  if [ "$require_gpu" = 1 ]; then
    out=$(docker run --rm --gpus all --entrypoint java ham/attack-service-gpu:dev -Dai.djl.offline=true \
          -cp '/deployments/lib/main/*' org.hamkafka.core.model.EngineReport 2>&1 | grep -v '^SLF4J')
    echo "$out"
    grep -qx 'matmul on gpu(0) ok' <<< "$out" || fail "inside the image, the engine did not compute on the GPU"
  fi
fi
say "done"
