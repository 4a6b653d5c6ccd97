package org.hamkafka.local;

import java.util.HashMap;
import java.util.Map;

/** The environment each service of the stack starts with: its secrets, how it reaches the infrastructure, its port. */
final class ServiceEnv {
    private ServiceEnv() {
    }

    /** What every service is given; the settings' extra variables last, over the others. */
    static Map<String, String> common(StackSettings settings, StackAuth auth, StackInfra infra) {
        Map<String, String> env = new HashMap<>(auth.env());
        env.putAll(infra.env());
        env.put("HAM_DATA_DIR", settings.dataRoot().toString());
        // local only: the services listen on the loopback interface
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("DJL_OFFLINE", "true");
        // the stack's logs are files people read: plain text, not the prod profile's JSON lines
        env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
        env.putAll(settings.extraEnv());
        return env;
    }

    static Map<String, String> trainer(Map<String, String> common, StackSettings settings, StackInfra infra, int port) {
        Map<String, String> env = new HashMap<>(common);
        env.putAll(infra.datasourceEnv(StackSettings.TRAINER_DB));
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.putAll(settings.trainerEnv());
        return env;
    }

    static Map<String, String> eval(Map<String, String> common, StackSettings settings, StackInfra infra, int port) {
        Map<String, String> env = new HashMap<>(common);
        env.putAll(infra.datasourceEnv(StackSettings.EVAL_DB));
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("HAM_EVAL_ATTACKS", settings.evalAttacks());
        env.put("HAM_EVAL_TEST_SUBSET", String.valueOf(settings.evalTestSubset()));
        return env;
    }

    static Map<String, String> attack(Map<String, String> common, String name, int port) {
        Map<String, String> env = new HashMap<>(common);
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("HAM_ATTACK_WORKER_ID", name);
        return env;
    }
}
