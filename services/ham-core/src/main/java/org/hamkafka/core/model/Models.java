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
import ai.djl.nn.convolutional.Conv2d;
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
        String a = arch == null ? "" : arch;
        switch (a) {
            case "linear":
                net.add(Blocks.batchFlattenBlock()).add(linear(info.numClasses()));
                break;
            case "tiny-cnn":
                requireMinSize(a, info, 2);
                net.add(conv(8, 3, 1, true)).add(bn()).add(Activation.reluBlock()).add(maxPool2())
                        .add(Blocks.batchFlattenBlock()).add(linear(info.numClasses()));
                break;
            case "smallcnn":
                smallCnn(net, SMALLCNN_CHANNELS, info, a);
                break;
            case "preact-resnet18":
                preActResNet(net, 64, new int[]{64, 128, 256, 512}, new int[]{2, 2, 2, 2},
                        new int[]{1, 2, 2, 2}, info);
                break;
            default:
                int[] widened = smallCnnChannels(a);
                if (widened != null) {
                    smallCnn(net, widened, info, a);
                    break;
                }
                int[] dw = parseWrn(a);
                if (dw == null) {
                    throw unknown(arch);
                }
                int n = (dw[0] - 4) / 6;
                int k = dw[1];
                preActResNet(net, 16, new int[]{16 * k, 32 * k, 64 * k}, new int[]{n, n, n},
                        new int[]{1, 2, 2}, info);
        }
        return net;
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

    // ---- building blocks -------------------------------------------------------------------

    private static Block conv(int filters, int kernel, int stride, boolean bias) {
        int pad = kernel / 2; // "same" padding for odd kernels: 3×3 -> 1, 1×1 -> 0
        return Conv2d.builder().setFilters(filters).setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride)).optPadding(new Shape(pad, pad)).optBias(bias).build();
    }

    private static Block bn() {
        // DJL's momentum 0.9 = PyTorch's momentum 0.1; eps 1e-5 as in PyTorch.
        return BatchNorm.builder().optMomentum(0.9f).optEpsilon(1e-5f).build();
    }

    private static Block linear(int units) {
        return Linear.builder().setUnits(units).build();
    }

    private static Block maxPool2() {
        return Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2));
    }

    /** SmallCNN: per block two 3×3 convs (with bias) + BN + ReLU, then a 2×2 max-pool; FC 256 + ReLU, FC. */
    private static void smallCnn(SequentialBlock net, int[] channels, DatasetInfo info, String arch) {
        requireMinSize(arch, info, 8);
        for (int c : channels) {
            net.add(conv(c, 3, 1, true)).add(bn()).add(Activation.reluBlock())
                    .add(conv(c, 3, 1, true)).add(bn()).add(Activation.reluBlock())
                    .add(maxPool2());
        }
        net.add(Blocks.batchFlattenBlock()).add(linear(256)).add(Activation.reluBlock())
                .add(linear(info.numClasses()));
    }

    /**
     * Stem conv, stages of pre-activation basic blocks, BN + ReLU, global average pool, FC.
     * PreAct ResNet-18 and Wide ResNets share this shape; only widths and depths differ.
     */
    private static void preActResNet(SequentialBlock net, int stem, int[] widths, int[] blocks, int[] strides,
                                     DatasetInfo info) {
        net.add(conv(stem, 3, 1, false));
        int in = stem;
        for (int s = 0; s < widths.length; s++) {
            for (int b = 0; b < blocks[s]; b++) {
                net.add(preActBlock(in, widths[s], b == 0 ? strides[s] : 1));
                in = widths[s];
            }
        }
        net.add(bn()).add(Activation.reluBlock()).add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock()).add(linear(info.numClasses()));
    }

    /**
     * Pre-activation basic block: out = conv2(relu(bn2(conv1(relu(bn1(x)))))) + shortcut. Where
     * the shape changes, the shortcut is a 1×1 conv on the pre-activated input relu(bn1(x)) (as in
     * the PyTorch references); otherwise it is x itself.
     */
    private static Block preActBlock(int in, int out, int stride) {
        SequentialBlock residual = new SequentialBlock()
                .add(conv(out, 3, stride, false)).add(bn()).add(Activation.reluBlock())
                .add(conv(out, 3, 1, false));
        if (stride != 1 || in != out) {
            return new SequentialBlock().add(bn()).add(Activation.reluBlock())
                    .add(sum(residual, conv(out, 1, stride, false)));
        }
        SequentialBlock branch = new SequentialBlock().add(bn()).add(Activation.reluBlock()).add(residual);
        return sum(branch, Blocks.identityBlock());
    }

    private static Block sum(Block a, Block b) {
        return new ParallelBlock(outs -> new NDList(outs.get(0).singletonOrThrow().add(outs.get(1).singletonOrThrow())),
                List.of(a, b));
    }

    // ---- analytic parameter and FLOP count ---------------------------------------------------

    /** Walks an architecture layer by layer, tracking the feature-map shape. */
    private static final class Tally {
        long params;
        long flops;
        int c;
        int h;
        int w;

        Tally(DatasetInfo info) {
            c = info.channels();
            h = info.height();
            w = info.width();
        }

        /** Conv with padding kernel/2; returns the output shape without changing this tally's shape. */
        int[] convOut(int kernel, int stride) {
            int pad = kernel / 2;
            return new int[]{(h + 2 * pad - kernel) / stride + 1, (w + 2 * pad - kernel) / stride + 1};
        }

        void conv(int out, int kernel, int stride, boolean bias) {
            int[] hw = convOut(kernel, stride);
            long weights = (long) c * kernel * kernel * out;
            params += weights + (bias ? out : 0);
            flops += 2L * weights * hw[0] * hw[1];
            c = out;
            h = hw[0];
            w = hw[1];
        }

        void bn() {
            params += 2L * c; // gamma and beta; running mean/var are not trainable
        }

        void pool2() {
            h /= 2;
            w /= 2;
        }

        void globalPool() {
            h = 1;
            w = 1;
        }

        void linear(int out) {
            long in = (long) c * h * w;
            params += in * out + out;
            flops += 2L * in * out;
            c = out;
            h = 1;
            w = 1;
        }
    }

    private static Tally tally(String arch, DatasetInfo info) {
        Tally t = new Tally(info);
        String a = arch == null ? "" : arch;
        switch (a) {
            case "linear":
                t.linear(info.numClasses());
                break;
            case "tiny-cnn":
                requireMinSize(a, info, 2);
                t.conv(8, 3, 1, true);
                t.bn();
                t.pool2();
                t.linear(info.numClasses());
                break;
            case "smallcnn":
                tallySmallCnn(t, SMALLCNN_CHANNELS, info, a);
                break;
            case "preact-resnet18":
                tallyPreAct(t, 64, new int[]{64, 128, 256, 512}, new int[]{2, 2, 2, 2}, new int[]{1, 2, 2, 2}, info);
                break;
            default:
                int[] widened = smallCnnChannels(a);
                if (widened != null) {
                    tallySmallCnn(t, widened, info, a);
                    break;
                }
                int[] dw = parseWrn(a);
                if (dw == null) {
                    throw unknown(arch);
                }
                int n = (dw[0] - 4) / 6;
                int k = dw[1];
                tallyPreAct(t, 16, new int[]{16 * k, 32 * k, 64 * k}, new int[]{n, n, n}, new int[]{1, 2, 2}, info);
        }
        return t;
    }

    private static void tallySmallCnn(Tally t, int[] channels, DatasetInfo info, String arch) {
        requireMinSize(arch, info, 8);
        for (int c : channels) {
            t.conv(c, 3, 1, true);
            t.bn();
            t.conv(c, 3, 1, true);
            t.bn();
            t.pool2();
        }
        t.linear(256);
        t.linear(info.numClasses());
    }

    private static void tallyPreAct(Tally t, int stem, int[] widths, int[] blocks, int[] strides, DatasetInfo info) {
        t.conv(stem, 3, 1, false);
        for (int s = 0; s < widths.length; s++) {
            for (int b = 0; b < blocks[s]; b++) {
                int in = t.c;
                int out = widths[s];
                int stride = b == 0 ? strides[s] : 1;
                t.bn();
                int inH = t.h;
                int inW = t.w;
                t.conv(out, 3, stride, false);
                t.bn();
                t.conv(out, 3, 1, false);
                if (stride != 1 || in != out) {
                    // shortcut 1×1 conv works on the block's input shape
                    int[] hw = {t.h, t.w};
                    t.c = in;
                    t.h = inH;
                    t.w = inW;
                    t.conv(out, 1, stride, false);
                    t.h = hw[0];
                    t.w = hw[1];
                }
            }
        }
        t.bn();
        t.globalPool();
        t.linear(info.numClasses());
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
