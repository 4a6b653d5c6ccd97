package org.hamkafka.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import org.hamkafka.core.model.Models.ConvShape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineCheckTest {
    /** The reference worked by hand: one 2×2 image, one 3×3 kernel, padding 1. */
    @Test
    void referenceMatchesAConvolutionWorkedByHand() {
        ConvShape s = new ConvShape(1, 1, 3, 1, 2, 2);
        ConvReference ref = new ConvReference(s, 1);
        float[] x = {1, 2, 3, 4};
        float[] w = {0, 0, 0, 0, 1, 0, 0, 0, 2}; // centre 1, bottom-right 2: y[p,q] = x[p,q] + 2 x[p+1,q+1]
        double[] y = ref.forward(x, w, new float[] {0.5f});
        assertArrayEquals(new double[] {1 + 2 * 4 + 0.5, 2.5, 3.5, 4.5}, y, 0);
        double[] dx = new double[4];
        double[] dw = new double[9];
        ref.backward(x, w, new float[] {1, 1, 1, 1}, dx, dw);
        // dx[i] = sum of the weights that multiply x[i]: x[0,0] only by the centre, x[1,1] by centre and corner
        assertArrayEquals(new double[] {1, 1, 1, 3}, dx, 0);
        // dw[u,v] = sum of x under that tap: the centre sees all four, the bottom-right corner only x[1,1]
        assertEquals(10, dw[4], 0);
        assertEquals(4, dw[8], 0);
        assertEquals(1, dw[0], 0);
    }

    /** Every convolution of every architecture we ship passes on this machine's engine, as the models run it. */
    @ParameterizedTest
    @CsvSource({"tiny-cnn,gray28", "smallcnn,gray28", "smallcnn-w0.125,gray28", "smallcnn-w0.25,gray28",
            "tiny-cnn,rgb32", "smallcnn,rgb32", "preact-resnet18,rgb32", "wrn-16-1,rgb32"})
    void everyShippedArchitecturePasses(String arch, String data) {
        EngineCheck.require(arch, ModelsTest.info(data), Device.cpu());
    }

    @Test
    void theAlignedPathIsRightWhereTheRawEngineWasSeenWrong() {
        for (ConvShape s : EngineCheck.SEEN_WRONG) {
            for (int batch : EngineCheck.BATCHES) {
                assertEquals(Optional.empty(), EngineCheck.check(s, batch, Device.cpu(), EngineCheck.ALIGNED), s.toString());
            }
        }
    }

    @Test
    void refusesAWrongForward() {
        ConvShape s = new ConvShape(16, 16, 3, 1, 7, 7);
        // right everywhere but one output, off by 1 % of the output's scale
        EngineCheck.Convolution wrong = (x, w, b, shape) -> {
            NDArray y = EngineCheck.ALIGNED.apply(x, w, b, shape);
            NDArray bump = y.zerosLike();
            bump.set(new ai.djl.ndarray.index.NDIndex("0, 3, 2, 2"), y.abs().max().getFloat() * 0.01f);
            return y.add(bump);
        };
        String why = EngineCheck.check(s, 3, Device.cpu(), wrong).orElseThrow();
        assertTrue(why.startsWith("convolution forward of 16→16 channels, 3×3 stride 1 on 7×7, batch 3: max |error|"),
                why);
    }

    /** What a user sees when a model's convolution is wrong: the machine, the op, the shape, the error, the fix. */
    @Test
    void refusalNamesTheOpTheShapeTheErrorAndTheFix() {
        EngineCheck.Convolution halfTheGradient = (x, w, b, shape) -> {
            NDArray y = EngineCheck.ALIGNED.apply(x, w, b, shape);
            return y.mul(0.5f).add(y.stopGradient().mul(0.5f)); // forward right, both gradients halved
        };
        EngineCheck.WrongEngineException e = assertThrows(EngineCheck.WrongEngineException.class,
                () -> EngineCheck.require("tiny-cnn", ModelsTest.GRAY28, Device.cpu(), halfTheGradient));
        assertTrue(e.getMessage().startsWith("the engine computes convolutions wrong on this machine ("), e.getMessage());
        assertTrue(e.getMessage().contains("): convolution input gradient of 1→8 channels, 3×3 stride 1 on 28×28, batch 1:"
                + " max |error| "), e.getMessage());
        assertTrue(e.getMessage().contains("DNNL_MAX_CPU_ISA=SSE41"), e.getMessage());
    }

    @Test
    void refusesAWrongInputGradientAndNaN() {
        ConvShape s = new ConvShape(8, 16, 3, 1, 5, 5);
        // forward right, input gradient off by 0.5 everywhere: z - stopGradient(z) is 0 but has gradient 0.5
        EngineCheck.Convolution wrongGradient = (x, w, b, shape) -> {
            NDArray z = x.sum().mul(0.5f);
            return EngineCheck.ALIGNED.apply(x, w, b, shape).add(z.sub(z.stopGradient()));
        };
        assertTrue(EngineCheck.check(s, 1, Device.cpu(), wrongGradient).orElseThrow()
                .startsWith("convolution input gradient of 8→16"));
        EngineCheck.Convolution nan = (x, w, b, shape) -> EngineCheck.ALIGNED.apply(x, w, b, shape).mul(Float.NaN);
        assertTrue(EngineCheck.check(s, 1, Device.cpu(), nan).orElseThrow().contains("max |error| Infinity"));
    }
}
