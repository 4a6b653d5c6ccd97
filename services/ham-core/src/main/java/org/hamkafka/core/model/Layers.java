package org.hamkafka.core.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import org.hamkafka.core.data.DatasetInfo;

import java.util.List;

/**
 * The layers an architecture of {@link Models} is made of, written once and read two ways: {@link Builder} makes
 * the DJL blocks, {@link Tally} counts parameters, FLOPs and the convolutions' shapes.
 */
interface Layers {
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

    /** The layers as DJL blocks. */
    record Builder(SequentialBlock net) implements Layers {
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

    /** The layers as counts, tracking the feature-map shape. */
    final class Tally implements Layers {
        long params;
        long flops;
        final java.util.Set<Models.ConvShape> convs = new java.util.LinkedHashSet<>();
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
            convs.add(new Models.ConvShape(c, out, kernel, stride, h, w));
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
}
