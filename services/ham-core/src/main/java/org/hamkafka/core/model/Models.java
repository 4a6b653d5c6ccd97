package org.hamkafka.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import org.hamkafka.core.data.DatasetInfo;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The model zoo, by name, each sized from the data set (channels, image size, classes).
 * Normalization is always the first layer, so attacks work on [0,1] pixels.
 *
 * <p>Names (see {@link #KNOWN}):
 * <ul>
 *   <li>{@code linear} — flatten + one fully connected layer (for tests).</li>
 *   <li>{@code tiny-cnn} — conv 3×3 (8 ch, pad 1) + BN + ReLU + 2×2 max-pool + FC (fast tests of other parts).</li>
 *   <li>{@code smallcnn} — the SmallCNN of the GAIRAT/HAM reference code: three blocks of two
 *       3×3 convs (64,64), (128,128), (196,196), each conv (with bias) + BN + ReLU, 2×2 max-pool after
 *       each block, then FC 256 + ReLU (no BN, as in the reference) and FC classes. Padding 1, so the
 *       flattened size is 196·⌊⌊⌊H/2⌋/2⌋/2⌋² (3×3 on 28×28, 4×4 on 32×32).</li>
 *   <li>{@code smallcnn-w<w>} — the same layout with every conv's channels scaled by the width
 *       factor w (0 &lt; w &lt;= 4, rounded to the nearest integer, at least 1); the FC 256 head is
 *       kept. {@code smallcnn-w0.25} has 16/32/49 channels and costs 1/16 of SmallCNN's FLOPs, so
 *       adversarial training of a real-sized CNN fits on 2 cores; {@code smallcnn-w1} is {@code smallcnn}.</li>
 *   <li>{@code preact-resnet18} — PreAct ResNet-18 (He et al. 2016) as in the adversarial-training
 *       literature: 3×3 stem conv stride 1, stages [2,2,2,2] of 64-128-256-512 channels, 1×1
 *       projection shortcut (no BN) on the pre-activated input where the shape changes, final
 *       BN + ReLU, global average pooling, FC. All convs without bias.</li>
 *   <li>{@code wrn-<depth>-<width>} — Wide ResNet (Zagoruyko & Komodakis), depth = 6n+4, widths
 *       16, 16k, 32k, 64k, pre-activation wide basic blocks, dropout 0, final BN + ReLU, global
 *       average pooling, FC. E.g. {@code wrn-28-10}, {@code wrn-34-10}, {@code wrn-16-4}.</li>
 * </ul>
 */
public final class Models {
    /** Every accepted name; {@code wrn-<depth>-<width>} stands for the family. */
    public static final List<String> KNOWN = List.of("linear", "tiny-cnn", "smallcnn", "smallcnn-w<width>",
            "preact-resnet18", "wrn-<depth>-<width>");

    private static final Pattern WRN = Pattern.compile("wrn-(\\d+)-(\\d+)");
    /** A decimal width factor, e.g. smallcnn-w0.25 or smallcnn-w2. */
    private static final Pattern SMALLCNN_W = Pattern.compile("smallcnn-w(\\d+(?:\\.\\d+)?)");
    /** SmallCNN's channels per block (GAIRAT/HAM reference code). */
    private static final int[] SMALLCNN_CHANNELS = {64, 128, 196};

    private Models() {
    }

    /** Builds an uninitialized block for the named architecture (see the class comment). */
    public static Block build(String arch, DatasetInfo info) {
        SequentialBlock net = new SequentialBlock().add(normalization(info));
        layers(arch, info, new Builder(net));
        return net;
    }

    /**
     * The one description of every architecture, layer by layer: {@link #build} turns it into DJL blocks,
     * {@link #tally} into parameter and FLOP counts, so the two cannot drift apart.
     */
    private static void layers(String arch, DatasetInfo info, Layers l) {
        String a = arch == null ? "" : arch;
        switch (a) {
            case "linear":
                l.flatten();
                l.linear(info.numClasses());
                break;
            case "tiny-cnn":
                requireMinSize(a, info, 2);
                l.conv(8, 3, 1, true);
                l.bn();
                l.relu();
                l.maxPool2();
                l.flatten();
                l.linear(info.numClasses());
                break;
            case "smallcnn":
                smallCnn(l, SMALLCNN_CHANNELS, info, a);
                break;
            case "preact-resnet18":
                preActResNet(l, 64, new int[]{64, 128, 256, 512}, new int[]{2, 2, 2, 2}, new int[]{1, 2, 2, 2}, info);
                break;
            default:
                int[] widened = smallCnnChannels(a);
                if (widened != null) {
                    smallCnn(l, widened, info, a);
                    break;
                }
                int[] dw = parseWrn(a);
                if (dw == null) {
                    throw unknown(arch);
                }
                int n = (dw[0] - 4) / 6;
                int k = dw[1];
                preActResNet(l, 16, new int[]{16 * k, 32 * k, 64 * k}, new int[]{n, n, n}, new int[]{1, 2, 2}, info);
        }
    }

    /**
     * Trainable parameters (weights, biases, BN scale and shift; not BN running statistics), worked
     * out from the architecture without building it. Agrees with PyTorch's
     * {@code sum(p.numel() for p in model.parameters())} for the same architecture.
     */
    public static long parameterCount(String arch, DatasetInfo info) {
        return tally(arch, info).params;
    }

    /**
     * FLOPs of one forward pass for one example: 2 × multiply-adds of the conv and linear layers
     * (biases, BatchNorm, ReLU, pooling and residual additions are not counted — they are a few
     * percent at most). A training step (forward + backward) costs about 3× this.
     */
    public static long flopsPerExample(String arch, DatasetInfo info) {
        return tally(arch, info).flops;
    }

    /** True for a name that {@link #build} accepts. */
    public static boolean isKnown(String arch) {
        if (arch == null) {
            return false;
        }
        return List.of("linear", "tiny-cnn", "smallcnn", "preact-resnet18").contains(arch)
                || parseWrnQuietly(arch) != null || smallCnnChannelsQuietly(arch) != null;
    }

    /** (x - mean) / std per channel, inside the model so attacks see [0,1] pixels. */
    static Block normalization(DatasetInfo info) {
        float[] mean = info.mean();
        float[] std = info.std();
        return new LambdaBlock(list -> {
            NDArray x = list.singletonOrThrow();
            NDManager m = x.getManager();
            NDArray mu = m.create(mean).reshape(1, mean.length, 1, 1);
            NDArray sd = m.create(std).reshape(1, std.length, 1, 1);
            return new NDList(x.sub(mu).div(sd));
        }, "normalize");
    }

    /** SmallCNN: per block two 3×3 convs (with bias) + BN + ReLU, then a 2×2 max-pool; FC 256 + ReLU, FC. */
    private static void smallCnn(Layers l, int[] channels, DatasetInfo info, String arch) {
        requireMinSize(arch, info, 8);
        for (int c : channels) {
            l.conv(c, 3, 1, true);
            l.bn();
            l.relu();
            l.conv(c, 3, 1, true);
            l.bn();
            l.relu();
            l.maxPool2();
        }
        l.flatten();
        l.linear(256);
        l.relu();
        l.linear(info.numClasses());
    }

    /**
     * Stem conv, stages of pre-activation basic blocks, BN + ReLU, global average pool, FC.
     * PreAct ResNet-18 and Wide ResNets share this shape; only widths and depths differ.
     */
    private static void preActResNet(Layers l, int stem, int[] widths, int[] blocks, int[] strides, DatasetInfo info) {
        l.conv(stem, 3, 1, false);
        int in = stem;
        for (int s = 0; s < widths.length; s++) {
            for (int b = 0; b < blocks[s]; b++) {
                preActBlock(l, in, widths[s], b == 0 ? strides[s] : 1);
                in = widths[s];
            }
        }
        l.bn();
        l.relu();
        l.globalAvgPool();
        l.flatten();
        l.linear(info.numClasses());
    }

    /**
     * Pre-activation basic block: out = conv2(relu(bn2(conv1(relu(bn1(x)))))) + shortcut. Where
     * the shape changes, the shortcut is a 1×1 conv on the pre-activated input relu(bn1(x)) (as in
     * the PyTorch references); otherwise it is x itself.
     */
    private static void preActBlock(Layers l, int in, int out, int stride) {
        java.util.function.Consumer<Layers> residual = r -> {
            r.conv(out, 3, stride, false);
            r.bn();
            r.relu();
            r.conv(out, 3, 1, false);
        };
        if (stride != 1 || in != out) {
            l.sequence(s -> {
                s.bn();
                s.relu();
                s.residual(residual, r -> r.conv(out, 1, stride, false));
            });
        } else {
            l.residual(r -> {
                r.bn();
                r.relu();
                r.sequence(residual);
            }, null);
        }
    }

    /** The layers an architecture is made of; {@link Builder} and {@link Tally} are its two readings. */
    private interface Layers {
        /** Conv with padding kernel/2. */
        void conv(int out, int kernel, int stride, boolean bias);

        void bn();

        void relu();

        void maxPool2();

        void globalAvgPool();

        void flatten();

        void linear(int units);

        /** main(x) + shortcut(x); a null shortcut is the identity. */
        void residual(java.util.function.Consumer<Layers> main, java.util.function.Consumer<Layers> shortcut);

        /** Layers grouped as one (a nested block: the parameter names of saved checkpoints follow the nesting). */
        void sequence(java.util.function.Consumer<Layers> inner);
    }

    /** The layers as DJL blocks. */
    private record Builder(SequentialBlock net) implements Layers {
        public void conv(int out, int kernel, int stride, boolean bias) {
            net.add(AlignedConv.build(out, kernel, stride, bias));
        }

        public void bn() {
            // DJL's momentum 0.9 = PyTorch's momentum 0.1; eps 1e-5 as in PyTorch.
            net.add(BatchNorm.builder().optMomentum(0.9f).optEpsilon(1e-5f).build());
        }

        public void relu() {
            net.add(Activation.reluBlock());
        }

        public void maxPool2() {
            net.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        }

        public void globalAvgPool() {
            net.add(Pool.globalAvgPool2dBlock());
        }

        public void flatten() {
            net.add(Blocks.batchFlattenBlock());
        }

        public void linear(int units) {
            net.add(Linear.builder().setUnits(units).build());
        }

        public void residual(java.util.function.Consumer<Layers> main, java.util.function.Consumer<Layers> shortcut) {
            SequentialBlock a = new SequentialBlock();
            main.accept(new Builder(a));
            Block b = Blocks.identityBlock();
            if (shortcut != null) {
                SequentialBlock sb = new SequentialBlock();
                shortcut.accept(new Builder(sb));
                // a one-layer shortcut is that layer itself, not wrapped (its parameter names get no extra level)
                b = sb.getChildren().size() == 1 ? sb.getChildren().get(0).getValue() : sb;
            }
            net.add(new ParallelBlock(outs -> new NDList(outs.get(0).singletonOrThrow()
                    .add(outs.get(1).singletonOrThrow())), List.of(a, b)));
        }

        public void sequence(java.util.function.Consumer<Layers> inner) {
            SequentialBlock s = new SequentialBlock();
            inner.accept(new Builder(s));
            net.add(s);
        }
    }

    // ---- analytic parameter and FLOP count ---------------------------------------------------

    /** The layers as counts, tracking the feature-map shape. */
    private static final class Tally implements Layers {
        long params;
        long flops;
        final java.util.Set<ConvShape> convs = new java.util.LinkedHashSet<>();
        int c;
        int h;
        int w;

        Tally(DatasetInfo info) {
            c = info.channels();
            h = info.height();
            w = info.width();
        }

        public void conv(int out, int kernel, int stride, boolean bias) {
            int pad = kernel / 2;
            int oh = (h + 2 * pad - kernel) / stride + 1;
            int ow = (w + 2 * pad - kernel) / stride + 1;
            convs.add(new ConvShape(c, out, kernel, stride, h, w));
            long weights = (long) c * kernel * kernel * out;
            params += weights + (bias ? out : 0);
            flops += 2L * weights * oh * ow;
            c = out;
            h = oh;
            w = ow;
        }

        public void bn() {
            params += 2L * c; // gamma and beta; running mean/var are not trainable
        }

        public void relu() {
        }

        public void maxPool2() {
            h /= 2;
            w /= 2;
        }

        public void globalAvgPool() {
            h = 1;
            w = 1;
        }

        public void flatten() {
        }

        public void linear(int units) {
            long in = (long) c * h * w;
            params += in * units + units;
            flops += 2L * in * units;
            c = units;
            h = 1;
            w = 1;
        }

        public void residual(java.util.function.Consumer<Layers> main, java.util.function.Consumer<Layers> shortcut) {
            int[] in = {c, h, w};
            main.accept(this);
            int[] out = {c, h, w};
            if (shortcut != null) {
                c = in[0];
                h = in[1];
                w = in[2];
                shortcut.accept(this);
                if (c != out[0] || h != out[1] || w != out[2]) {
                    throw new IllegalStateException("residual branches disagree on the shape");
                }
            }
            c = out[0];
            h = out[1];
            w = out[2];
        }

        public void sequence(java.util.function.Consumer<Layers> inner) {
            inner.accept(this);
        }
    }

    /**
     * One convolution of an architecture as the engine runs it for one example: channels in and out, kernel,
     * stride, and the input's height and width.
     */
    public record ConvShape(int in, int out, int kernel, int stride, int height, int width) {
        @Override
        public String toString() {
            return in + "→" + out + " channels, " + kernel + "×" + kernel + " stride " + stride + " on " + height + "×"
                    + width;
        }
    }

    /** The distinct convolutions of the named architecture on the data set's images, in layer order. */
    public static List<ConvShape> convolutions(String arch, DatasetInfo info) {
        return List.copyOf(tally(arch, info).convs);
    }

    private static Tally tally(String arch, DatasetInfo info) {
        Tally t = new Tally(info);
        layers(arch, info, t);
        return t;
    }

    // ---- names -------------------------------------------------------------------------------

    /** {depth, width} for a well-formed wrn name, null for a name outside the family; throws for a bad wrn. */
    private static int[] parseWrn(String arch) {
        Matcher m = WRN.matcher(arch);
        if (!m.matches()) {
            return null;
        }
        int depth;
        int width;
        try {
            depth = Integer.parseInt(m.group(1));
            width = Integer.parseInt(m.group(2));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("model '" + arch + "': depth and width must be small integers");
        }
        if (depth < 10 || (depth - 4) % 6 != 0) {
            throw new IllegalArgumentException("model '" + arch + "': Wide ResNet depth must be 6n+4 with n >= 1 "
                    + "(10, 16, 22, 28, 34, ...); got " + depth);
        }
        if (width < 1 || width > 64) {
            throw new IllegalArgumentException("model '" + arch + "': Wide ResNet width must be in [1, 64]; got " + width);
        }
        return new int[]{depth, width};
    }

    /** SmallCNN's channels scaled by the width of a smallcnn-w name, null for another name; throws for a bad width. */
    static int[] smallCnnChannels(String arch) {
        Matcher m = SMALLCNN_W.matcher(arch);
        if (!m.matches()) {
            return null;
        }
        double w = Double.parseDouble(m.group(1));
        if (!(w > 0 && w <= 4)) {
            throw new IllegalArgumentException("model '" + arch + "': SmallCNN width must be in (0, 4]; got " + m.group(1));
        }
        int[] out = new int[SMALLCNN_CHANNELS.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) Math.max(1, Math.round(SMALLCNN_CHANNELS[i] * w));
        }
        return out;
    }

    private static int[] smallCnnChannelsQuietly(String arch) {
        try {
            return smallCnnChannels(arch);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int[] parseWrnQuietly(String arch) {
        try {
            return parseWrn(arch);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static IllegalArgumentException unknown(String arch) {
        return new IllegalArgumentException("unknown model '" + arch + "'; known: " + String.join(", ", KNOWN)
                + " (e.g. smallcnn-w0.25, wrn-28-10, wrn-34-10, wrn-16-4)");
    }

    private static void requireMinSize(String arch, DatasetInfo info, int min) {
        if (info.height() < min || info.width() < min) {
            throw new IllegalArgumentException("model '" + arch + "' needs images of at least " + min + "x" + min
                    + " (it pools them down); data set '" + info.name() + "' has " + info.height() + "x" + info.width());
        }
    }
}
