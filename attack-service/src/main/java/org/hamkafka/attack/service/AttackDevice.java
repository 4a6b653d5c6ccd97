package org.hamkafka.attack.service;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.hamkafka.core.model.Devices;
import org.hamkafka.core.model.EngineCheck;
import org.jboss.logging.Logger;

/**
 * The device attacks run on, from {@code ham.attack.device} (auto: the GPU when the engine sees one).
 * {@code ham.attack.threads} must reach PyTorch before its engine starts, so it is applied here, first; then the
 * engine's convolutions are checked ({@link EngineCheck}), at start.
 */
@Startup
@ApplicationScoped
public class AttackDevice {
    private static final Logger LOG = Logger.getLogger(AttackDevice.class);
    private final Device device;

    public AttackDevice(WorkerSettings settings) {
        settings.threads().ifPresent(n -> {
            if (n < 1) {
                throw new IllegalArgumentException("ham.attack.threads must be >= 1; got " + n);
            }
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(n));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        });
        this.device = Devices.resolve(settings.device());
        LOG.info(EngineCheck.requireDefaults(device)); // refuses to start on an engine that computes wrong
        LOG.infof("attacks run on %s (ham.attack.device=%s, engine %s %s)", device, settings.device(),
                Engine.getInstance().getEngineName(), Engine.getInstance().getVersion());
    }

    public Device device() {
        return device;
    }
}
