# Sourced by the scripts that start PyTorch on the CPU (ham.sh, bench.sh, run.sh, experiment.sh, and so everything
# that goes through them); the service images repeat it in their Dockerfiles, GLIBC_TUNABLES in all four, jemalloc in
# eval-service's (MallocSettingsTest keeps the copies equal).
#
# The allocator: jemalloc where it is installed (bash scripts/setup.sh installs Debian's libjemalloc2), glibc's
# malloc otherwise or with HAM_MALLOC=glibc. Under glibc a process that has run an AutoAttack evaluation (tensors of
# thousands of sizes, as examples break) spends about a third of its time searching malloc's fragmented free lists
# (perf: _int_malloc 28 % of the samples, against 0.5 % before it), then trains at a third of its speed and
# evaluates 1.2-1.5x slower; malloc_trim does not mend it. jemalloc's size classes do not fragment that way
# (docs/benchmarks.md#training-after-an-autoattack-in-one-process). Its decay is switched off so that, like glibc
# with the settings below, it keeps freed pages for the next step (with its default decay it hands them back and
# trains 0.6x as fast).
# With glibc's defaults, malloc hands freed memory back to the kernel between the passes of a training step and the
# next pass faults it in again, page by page: 0.2-0.4 million minor faults (1-1.5 GB) per SmallCNN batch of a PGD-AT
# epoch, ~1 thousand with these settings (bash scripts/bench.sh epoch;
# docs/benchmarks.md#page-faults-and-the-malloc-settings). Three causes, one setting each: blocks above the
# dynamic mmap threshold are mapped and unmapped every time (a fixed 32 MiB, the most glibc allows, keeps
# activations in the heaps); the free top of a heap is trimmed past the trim threshold (4 GiB: never, in
# practice); a thread arena's heap that falls empty is unmapped unless top_pad covers it (64 MiB, a heap's size).
# The cost is that a process keeps the memory of its largest step, which it needs again at the next one. A
# GLIBC_TUNABLES of your own is left as it is; an empty one (GLIBC_TUNABLES= bash scripts/...) runs on glibc's
# defaults, to compare.
export GLIBC_TUNABLES="${GLIBC_TUNABLES-glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296:glibc.malloc.top_pad=67108864}"
case "${HAM_MALLOC:-jemalloc}" in
  jemalloc | glibc) ;;
  *) echo "malloc-env: HAM_MALLOC must be jemalloc or glibc; got '$HAM_MALLOC'" >&2; return 2 ;;
esac
if [ "${HAM_MALLOC:-jemalloc}" = jemalloc ] && [ -z "${LD_PRELOAD:-}" ]; then
  for ham_jemalloc in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/aarch64-linux-gnu/libjemalloc.so.2 \
                      /usr/lib64/libjemalloc.so.2 /usr/lib/libjemalloc.so.2; do
    if [ -f "$ham_jemalloc" ]; then
      export LD_PRELOAD="$ham_jemalloc"
      export MALLOC_CONF="${MALLOC_CONF-dirty_decay_ms:-1,muzzy_decay_ms:-1}"
      break
    fi
  done
  unset ham_jemalloc
  [ -n "${LD_PRELOAD:-}" ] || echo "malloc-env: no libjemalloc.so.2 (bash scripts/setup.sh installs it); running on" \
    "glibc's malloc, which slows down after an AutoAttack in the same process" >&2
fi
