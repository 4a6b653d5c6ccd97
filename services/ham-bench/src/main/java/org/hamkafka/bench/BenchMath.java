package org.hamkafka.bench;

import java.util.List;
import java.util.Locale;

/** The arithmetic and parsing the benchmarks share, kept apart so it is unit-tested. */
public final class BenchMath {
    private BenchMath() {
    }

    /**
     * Resident memory in bytes from the text of {@code /proc/<pid>/status} (its {@code VmRSS:  1234 kB}
     * line).
     *
     * @throws IllegalArgumentException when there is no VmRSS line or it is not "<number> kB"
     */
    public static long vmRssBytes(String procStatus) {
        for (String line : procStatus.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
                if (parts.length != 2 || !parts[1].equalsIgnoreCase("kB")) {
                    throw new IllegalArgumentException("VmRSS line is not '<number> kB': '" + line + "'");
                }
                try {
                    return Long.parseLong(parts[0]) * 1024L;
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("VmRSS line is not '<number> kB': '" + line + "'", e);
                }
            }
        }
        throw new IllegalArgumentException("no VmRSS line in the process status (has the process exited?)");
    }

    /**
     * Committed Java heap in bytes from a Prometheus text exposition ({@code /q/metrics}): the sum of the
     * {@code jvm_memory_committed_bytes} series labelled {@code area="heap"}; -1 when there are none.
     */
    public static long committedHeapBytes(String prometheusText) {
        double sum = 0;
        boolean found = false;
        for (String line : prometheusText.split("\n")) {
            if (line.startsWith("jvm_memory_committed_bytes{") && line.contains("area=\"heap\"")) {
                String value = line.substring(line.lastIndexOf('}') + 1).trim().split("\\s+")[0];
                sum += Double.parseDouble(value);
                found = true;
            }
        }
        return found ? Math.round(sum) : -1;
    }

    /** Least-squares slope of y over x; needs at least two distinct x. */
    public static double slope(double[] x, double[] y) {
        if (x.length != y.length || x.length < 2) {
            throw new IllegalArgumentException("slope needs >= 2 points and as many x as y, got " + x.length
                    + " x and " + y.length + " y");
        }
        double mx = 0;
        double my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= x.length;
        my /= y.length;
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        if (sxx == 0) {
            throw new IllegalArgumentException("slope needs at least two distinct x values");
        }
        return sxy / sxx;
    }

    /** One RSS sample: after {@code batches} results, the child's resident memory. */
    public record RssSample(long batches, long rssBytes, long heapCommittedBytes) {
        public RssSample(long batches, long rssBytes) {
            this(batches, rssBytes, -1);
        }

        public double rssMb() {
            return rssBytes / (1024.0 * 1024.0);
        }

        /** RSS less the committed Java heap: PyTorch's native memory, metaspace, threads...; NaN if unknown. */
        public double outsideHeapMb() {
            return heapCommittedBytes < 0 ? Double.NaN : (rssBytes - heapCommittedBytes) / (1024.0 * 1024.0);
        }
    }

    /**
     * Slope of RSS over the second half of the samples (those taken at or after half the last sample's
     * batch count), in MB per 100 batches: the first half holds warm-up (allocator pools, JIT, caches).
     */
    public static double secondHalfSlopeMbPer100(List<RssSample> samples) {
        return secondHalfSlopeMbPer100(samples, RssSample::rssMb);
    }

    /** The same for any measure of a sample in MB (e.g. {@link RssSample#outsideHeapMb()}); NaN if one is NaN. */
    public static double secondHalfSlopeMbPer100(List<RssSample> samples,
                                                 java.util.function.ToDoubleFunction<RssSample> mb) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no RSS samples");
        }
        long half = samples.get(samples.size() - 1).batches() / 2;
        List<RssSample> tail = samples.stream().filter(s -> s.batches() >= half).toList();
        double[] x = tail.stream().mapToDouble(RssSample::batches).toArray();
        double[] y = tail.stream().mapToDouble(mb).toArray();
        return slope(x, y) * 100.0;
    }

    /** "flat" when the second-half slope stays within {@code limitMbPer100}, else "growing" / "shrinking". */
    public static String verdict(double slopeMbPer100, double limitMbPer100) {
        if (Math.abs(slopeMbPer100) <= limitMbPer100) {
            return "flat";
        }
        return slopeMbPer100 > 0 ? "growing" : "shrinking";
    }

    /** The 1-, 5- and 15-minute load averages (first three fields of {@code /proc/loadavg}), or "unknown". */
    public static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split("\\s+");
            return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : "unknown";
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The median of the values (the mean of the middle two when there is an even number); NaN when there are none. */
    public static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Steps per second, NaN when the time is not positive. */
    public static double perSecond(long steps, double seconds) {
        return seconds > 0 ? steps / seconds : Double.NaN;
    }

    /** Fixed-point text of a number, "n/a" for NaN. */
    public static String fmt(double v, int decimals) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
