# Sourced by the scripts that start PyTorch on the CPU (ham.sh, bench.sh, run.sh, experiment.sh, and so everything
# that goes through them); the service images set the same in their Dockerfiles (MallocSettingsTest keeps them equal).
# With glibc's defaults, malloc hands freed memory back to the kernel between the passes of a training step and the
# next pass faults it in again, page by page: 0.2-0.4 million minor faults (1-1.5 GB) per SmallCNN batch of a PGD-AT
# epoch, ~1 thousand with these settings (bash scripts/bench.sh epoch;
# docs/benchmarks.md#page-faults-and-the-malloc-settings). Three causes, one setting each: blocks above the
# dynamic mmap threshold are mapped and unmapped every time (a fixed 32 MiB, the most glibc allows, keeps
# activations in the heaps); the free top of a heap is trimmed past the trim threshold (4 GiB: never, in
# practice); a thread arena's heap that falls empty is unmapped unless top_pad covers it (64 MiB, a heap's size).
# The cost is that a process keeps the memory of its largest step, which it needs again at the next one.
# jemalloc was tried (2026-12-05) and dropped: with its decay off it grew without bound under the changing batch sizes
# of an attack whose rows leave as they break (grown by 1.9-3.4 GB over 20,000 passes; glibc 0.85 GB, flat), with
# its decay on it trained at 0.6x; the slowdown after an AutoAttack it was taken for was a leak of ours, fixed
# (docs/benchmarks.md#training-after-an-autoattack-in-one-process).
# A GLIBC_TUNABLES of your own is left as it is; an empty one (GLIBC_TUNABLES= bash scripts/...) runs on glibc's
# defaults, to compare.
export GLIBC_TUNABLES="${GLIBC_TUNABLES-glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296:glibc.malloc.top_pad=67108864}"
