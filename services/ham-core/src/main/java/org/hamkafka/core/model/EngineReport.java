package org.hamkafka.core.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.LibUtils;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which PyTorch build the engine loaded and what it can run on, for an operator checking an image:
 * {@code java -cp '<app>/lib/main/*' org.hamkafka.core.model.EngineReport}. {@code scripts/gpu-check.sh} uses it to
 * show that a {@code -Pgpu} build loads the CUDA library (and, on a GPU machine, computes on the GPU). It ends with
 * the convolution check: the engine's own convolution and the block-aligned one at the shapes where the engine was
 * seen wrong, then the start-up check ({@link EngineCheck}).
 */
public final class EngineReport {
    private static final Pattern FLAVOR = Pattern.compile("(?:^|-)(cpu|cu\\d+)(?:-|$)");
    /** [[1,2],[3,4]] x [[5,6],[7,8]], worked out by hand. */
    private static final float[] PRODUCT = {19, 22, 43, 50};

    private EngineReport() {
    }

    public static void main(String[] args) {
        Engine engine = Engine.getInstance();
        String library = loadedLibrary();
        int gpus = engine.getGpuCount();
        System.out.println("engine " + engine.getEngineName() + " " + engine.getVersion());
        System.out.println("library " + library);
        System.out.println("flavor " + flavor(library));
        System.out.println("gpus " + gpus);
        System.out.println("matmul on " + Device.cpu() + " " + (matmulHolds(Device.cpu()) ? "ok" : "WRONG"));
        if (gpus > 0) {
            System.out.println("matmul on " + Device.gpu() + " " + (matmulHolds(Device.gpu()) ? "ok" : "WRONG"));
        }
        Device device = gpus > 0 ? Device.gpu() : Device.cpu();
        System.out.println("convolutions where the engine was seen wrong (EngineCheck), batch 3, on " + device + ":");
        for (Models.ConvShape s : EngineCheck.SEEN_WRONG) {
            System.out.println("  " + s + ": engine's own " + verdict(s, device, EngineCheck.RAW)
                    + "; as the models run it " + verdict(s, device, EngineCheck.ALIGNED));
        }
        System.out.println(EngineCheck.requireDefaults(device));
    }

    private static String verdict(Models.ConvShape s, Device device, EngineCheck.Convolution conv) {
        return EngineCheck.check(s, 3, device, conv).map(why -> "WRONG (" + why.substring(0, why.indexOf(" of ")) + ": "
                        + why.substring(why.indexOf("max")) + ")")
                .orElse("ok");
    }

    /** The folder of the native library the engine loaded (loading it first). */
    public static String loadedLibrary() {
        Engine.getInstance();
        return LibUtils.getLibtorchPath();
    }

    /** The build's flavor ("cpu", "cu124", ...) from the folder DJL loaded it from, e.g. 2.5.1-cu124-linux-x86_64. */
    public static String flavor(String libraryPath) {
        Path name = Path.of(libraryPath).getFileName();
        Matcher m = FLAVOR.matcher(name == null ? "" : name.toString());
        return m.find() ? m.group(1) : "unknown";
    }

    /** A small matrix product on the device equals the hand-computed one. */
    public static boolean matmulHolds(Device device) {
        try (NDManager manager = NDManager.newBaseManager(device)) {
            NDArray a = manager.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
            NDArray b = manager.create(new float[] {5, 6, 7, 8}, new ai.djl.ndarray.types.Shape(2, 2));
            return Arrays.equals(a.matMul(b).toFloatArray(), PRODUCT);
        }
    }
}
