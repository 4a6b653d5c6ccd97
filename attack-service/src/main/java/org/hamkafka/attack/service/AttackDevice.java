package org.hamkafka.attack.service;

import ai.djl.Device;
import ai.djl.engine.Engine;
import jakarta.enterprise.context.ApplicationScoped;
import org.hamkafka.core.model.Devices;
import org.jboss.logging.Logger;

/**
 * The device attacks run on, from {@code ham.attack.device} (auto: the GPU when the engine sees one).
 * {@code ham.attack.threads} must reach PyTorch before its engine starts, so it is applied here, first.
 */
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
        LOG.infof("attacks run on %s (ham.attack.device=%s, engine %s %s)", device, settings.device(),
                Engine.getInstance().getEngineName(), Engine.getInstance().getVersion());
    }

    public Device device() {
        return device;
    }
}
