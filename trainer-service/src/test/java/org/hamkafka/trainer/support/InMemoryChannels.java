package org.hamkafka.trainer.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;

import java.util.HashMap;
import java.util.Map;

/** Every channel of the trainer on SmallRye's in-memory connector (fast tests without a broker). */
public class InMemoryChannels implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        Map<String, String> m = new HashMap<>();
        m.putAll(InMemoryConnector.switchOutgoingChannelsToInMemory("attack-requests", "models", "training-progress",
                "checkpoints", "attack-results-dlq"));
        m.putAll(InMemoryConnector.switchIncomingChannelsToInMemory("attack-results"));
        return m;
    }

    @Override
    public void stop() {
        InMemoryConnector.clear();
    }
}
