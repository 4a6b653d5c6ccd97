package org.hamkafka.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import org.hamkafka.core.data.DatasetInfo;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.hamkafka.core.model.ModelsTest.GRAY28;
import static org.hamkafka.core.model.ModelsTest.RGB32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelWeightsTest {

    @Test
    void roundTripIntoModelWithOtherSeedGivesIdenticalLogits() {
        for (String arch : List.of("smallcnn", "smallcnn-w0.25", "wrn-16-1")) {
            try (Classifier src = Classifier.create(arch, RGB32, Device.cpu(), 1);
                 Classifier dst = Classifier.create(arch, RGB32, Device.cpu(), 99);
                 NDManager m = src.manager().newSubManager()) {
                NDArray x = m.randomUniform(0, 1, new Shape(4, 3, 32, 32));
                src.logits(x, true); // running statistics away from 0/1, so they must travel too
                float[] expected = src.logits(x, false).toFloatArray();
                assertFalse(Arrays.equals(expected, dst.logits(x, false).toFloatArray()), "seeds differ");

                byte[] npz = ModelWeights.exportNpz(src);
                ModelWeights.importNpz(dst, new ByteArrayInputStream(npz));
                assertArrayEquals(expected, dst.logits(x, false).toFloatArray(), 0f, arch);

                try (Classifier loaded = Classifier.fromNpz(arch, RGB32, Device.cpu(), new ByteArrayInputStream(npz))) {
                    assertArrayEquals(expected, loaded.logits(x, false).toFloatArray(), 0f, arch);
                }
                // exporting the same weights twice gives the same bytes, hence the same checksum
                assertEquals(ModelWeights.sha256(npz), ModelWeights.sha256(ModelWeights.exportNpz(dst)));
            }
        }
    }

    @Test
    void exportIsByteForByteDjlsNpzEntriesStoredUncompressed() throws IOException {
        // the reference: DJL's own NPZ encoder (deflated), each entry re-stored as exportNpz stores it
        for (String arch : List.of("linear", "tiny-cnn", "smallcnn", "smallcnn-w0.25", "preact-resnet18", "wrn-16-1")) {
            DatasetInfo info = arch.equals("linear") || arch.equals("tiny-cnn") ? GRAY28 : RGB32;
            try (Classifier f = Classifier.create(arch, info, Device.cpu(), 3);
                 NDManager m = f.manager().newSubManager()) {
                ai.djl.ndarray.NDList list = new ai.djl.ndarray.NDList();
                for (Pair<String, Parameter> p : f.block().getParameters()) {
                    NDArray view = p.getValue().getArray().stopGradient();
                    view.attach(m);
                    view.setName(p.getKey());
                    list.add(view);
                }
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(
                        list.encode(ai.djl.ndarray.NDList.Encoding.NPZ)));
                     ZipOutputStream zip = new ZipOutputStream(expected)) {
                    for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                        byte[] data = in.readAllBytes();
                        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                        crc.update(data);
                        ZipEntry stored = new ZipEntry(e.getName());
                        stored.setMethod(ZipEntry.STORED);
                        stored.setSize(data.length);
                        stored.setCompressedSize(data.length);
                        stored.setCrc(crc.getValue());
                        stored.setTime(946_684_800_000L);
                        zip.putNextEntry(stored);
                        zip.write(data);
                        zip.closeEntry();
                    }
                }
                assertArrayEquals(expected.toByteArray(), ModelWeights.exportNpz(f), arch);
            }
        }
    }

    @Test
    void archiveIsANumpyZipWithOneNpyPerParameterInForwardOrder() throws IOException {
        try (Classifier f = Classifier.create("tiny-cnn", GRAY28, Device.cpu(), 1)) {
            byte[] npz = ModelWeights.exportNpz(f);
            List<String> names = new ArrayList<>();
            try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(npz))) {
                for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                    names.add(e.getName());
                    byte[] head = zip.readNBytes(6);
                    assertArrayEquals(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'}, head, e.getName());
                }
            }
            assertEquals(List.of("02Conv2d_weight.npy", "02Conv2d_bias.npy", "03BatchNorm_gamma.npy",
                    "03BatchNorm_beta.npy", "03BatchNorm_runningMean.npy", "03BatchNorm_runningVar.npy",
                    "07Linear_weight.npy", "07Linear_bias.npy"), names);
        }
    }

    /**
     * docs/weights.md promises that the archive order pairs one-to-one with the state_dict of the
     * PyTorch PreActResNet18 (final bn, Rice et al.) once num_batches_tracked is dropped. The
     * PyTorch keys and shapes are written out here from that definition.
     */
    @Test
    void preActResNet18OrderPairsWithPyTorchStateDict() {
        List<String> pt = new ArrayList<>();
        List<Shape> ptShapes = new ArrayList<>();
        java.util.function.BiConsumer<String, Shape> add = (k, sh) -> {
            pt.add(k);
            ptShapes.add(sh);
        };
        java.util.function.BiConsumer<String, Integer> bn = (k, c) -> {
            for (String suffix : List.of("weight", "bias", "running_mean", "running_var")) {
                add.accept(k + "." + suffix, new Shape(c));
            }
        };
        add.accept("conv1.weight", new Shape(64, 3, 3, 3));
        int in = 64;
        int[] planes = {64, 128, 256, 512};
        for (int l = 0; l < 4; l++) {
            for (int b = 0; b < 2; b++) {
                int stride = (l > 0 && b == 0) ? 2 : 1;
                String pre = "layer" + (l + 1) + "." + b + ".";
                bn.accept(pre + "bn1", in);
                add.accept(pre + "conv1.weight", new Shape(planes[l], in, 3, 3));
                bn.accept(pre + "bn2", planes[l]);
                add.accept(pre + "conv2.weight", new Shape(planes[l], planes[l], 3, 3));
                if (stride != 1 || in != planes[l]) {
                    add.accept(pre + "shortcut.0.weight", new Shape(planes[l], in, 1, 1));
                }
                in = planes[l];
            }
        }
        bn.accept("bn", 512);
        add.accept("linear.weight", new Shape(10, 512));
        add.accept("linear.bias", new Shape(10));

        Map<String, String> suffix = Map.of("weight", "weight", "bias", "bias", "gamma", "weight", "beta", "bias",
                "runningMean", "running_mean", "runningVar", "running_var");
        try (Classifier f = Classifier.create("preact-resnet18", RGB32, Device.cpu(), 1)) {
            var params = f.block().getParameters();
            assertEquals(pt.size(), params.size());
            for (int i = 0; i < pt.size(); i++) {
                String djl = params.get(i).getKey();
                String djlSuffix = djl.substring(djl.lastIndexOf('_') + 1);
                assertTrue(pt.get(i).endsWith("." + suffix.get(djlSuffix)), djl + " vs " + pt.get(i));
                assertEquals(ptShapes.get(i), params.get(i).getValue().getArray().getShape(), djl + " vs " + pt.get(i));
            }
        }
    }

    @Test
    void missingKeyIsNamed() throws IOException {
        try (Classifier f = Classifier.create("tiny-cnn", GRAY28, Device.cpu(), 1)) {
            byte[] npz = rewrite(ModelWeights.exportNpz(f), name -> !name.equals("03BatchNorm_runningVar.npy"), null);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ModelWeights.importNpz(f, new ByteArrayInputStream(npz)));
            assertTrue(e.getMessage().contains("missing parameter 03BatchNorm_runningVar"), e.getMessage());
        }
    }

    @Test
    void extraKeyIsNamed() throws IOException {
        try (Classifier f = Classifier.create("tiny-cnn", GRAY28, Device.cpu(), 1)) {
            byte[] original = ModelWeights.exportNpz(f);
            // copy an entry under a name the model does not have
            byte[] npz = rewrite(original, name -> true, Map.entry("99Linear_weight.npy", entry(original, "07Linear_bias.npy")));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ModelWeights.importNpz(f, new ByteArrayInputStream(npz)));
            assertTrue(e.getMessage().contains("unexpected key 99Linear_weight"), e.getMessage());
        }
    }

    @Test
    void wrongShapeIsNamedAndLeavesTheModelUnchanged() {
        DatasetInfo threeClasses = new DatasetInfo("g3", 1, 28, 28, List.of("a", "b", "c"), new float[]{0.3f}, new float[]{0.35f});
        try (Classifier ten = Classifier.create("tiny-cnn", GRAY28, Device.cpu(), 1);
             Classifier three = Classifier.create("tiny-cnn", threeClasses, Device.cpu(), 2)) {
            float[] convBefore = three.block().getParameters().get("02Conv2d_weight").getArray().toFloatArray();
            byte[] npz = ModelWeights.exportNpz(ten);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ModelWeights.importNpz(three, new ByteArrayInputStream(npz)));
            assertTrue(e.getMessage().contains("'07Linear_weight'"), e.getMessage());
            assertTrue(e.getMessage().contains("(3, 1568)") && e.getMessage().contains("(10, 1568)"), e.getMessage());
            // checked before writing: the conv weights (which would have fitted) are untouched
            assertArrayEquals(convBefore, three.block().getParameters().get("02Conv2d_weight").getArray().toFloatArray(), 0f);
        }
    }

    @Test
    void garbageTruncatedAndEmptyBytesAreCorruptWeights() {
        try (Classifier f = Classifier.create("tiny-cnn", GRAY28, Device.cpu(), 1)) {
            byte[] npz = ModelWeights.exportNpz(f);
            byte[] garbage = new byte[4096];
            new java.util.Random(3).nextBytes(garbage);
            List<byte[]> bad = List.of(garbage, "not weights at all, just text".getBytes(StandardCharsets.UTF_8),
                    new byte[0], Arrays.copyOf(npz, npz.length / 2), Arrays.copyOf(npz, npz.length - 1));
            for (byte[] b : bad) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> ModelWeights.importNpz(f, new ByteArrayInputStream(b)));
                assertTrue(e.getMessage().startsWith("corrupt weights: "), e.getMessage());
            }
            // a complete zip whose entry bytes are damaged: the zip CRC check fails, reported as corrupt too
            byte[] damaged = npz.clone();
            for (int i = 200; i < 260; i++) {
                damaged[i] ^= 0x5a;
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ModelWeights.importNpz(f, new ByteArrayInputStream(damaged)));
            assertTrue(e.getMessage().startsWith("corrupt weights: "), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> Classifier.fromNpz("tiny-cnn", GRAY28, Device.cpu(), new ByteArrayInputStream(garbage)));
        }
    }

    @Test
    void sha256IsHexOfTheStandardDigest() {
        // FIPS 180-2 test vector
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                ModelWeights.sha256("abc".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void exportDoesNotDisturbTheModelsArrays() {
        try (Classifier f = Classifier.create("tiny-cnn", GRAY28, Device.cpu(), 1)) {
            ModelWeights.exportNpz(f);
            for (Pair<String, Parameter> p : f.block().getParameters()) {
                NDArray a = p.getValue().getArray();
                assertFalse(a.isReleased(), p.getKey());
                assertEquals(p.getValue().requiresGradient(), a.hasGradient(), p.getKey());
            }
        }
    }

    /** Copies a zip keeping the entries that pass, optionally adding one (name, bytes). */
    private static byte[] rewrite(byte[] zipBytes, Predicate<String> keep, Map.Entry<String, byte[]> add) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zipBytes));
             ZipOutputStream zip = new ZipOutputStream(out)) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                byte[] data = in.readAllBytes();
                if (keep.test(e.getName())) {
                    zip.putNextEntry(new ZipEntry(e.getName()));
                    zip.write(data);
                    zip.closeEntry();
                }
            }
            if (add != null) {
                zip.putNextEntry(new ZipEntry(add.getKey()));
                zip.write(add.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static byte[] entry(byte[] zipBytes, String name) throws IOException {
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zipBytes))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.getName().equals(name)) {
                    return in.readAllBytes();
                }
            }
        }
        throw new IllegalStateException("no entry " + name);
    }
}
