package org.hamkafka.core.model;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** Chooses where tensors live: "cpu", "gpu" (fails if there is none) or "auto" (the GPU when present). */
public final class Devices {
    private Devices() {
    }

    public static Device resolve(String setting) {
        String s = setting == null ? "auto" : setting.trim().toLowerCase();
        int gpus = Engine.getInstance().getGpuCount();
        switch (s) {
            case "cpu":
                return Device.cpu();
            case "auto":
                return gpus > 0 ? Device.gpu() : Device.cpu();
            case "gpu":
            case "cuda":
                if (gpus == 0) {
                    throw new IllegalArgumentException("device=gpu asked for, but the PyTorch engine sees no GPU "
                            + "(a CUDA build of the native library is needed; use device=auto or cpu)");
                }
                return Device.gpu();
            default:
                throw new IllegalArgumentException("device must be one of cpu, gpu, auto; got '" + setting + "'");
        }
    }
}
