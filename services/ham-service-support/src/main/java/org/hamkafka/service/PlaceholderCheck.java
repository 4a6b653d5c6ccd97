package org.hamkafka.service;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The Kubernetes base ships every secret and site-specific value as {@value #PLACEHOLDER} (deploy/base). Applied as it
 * is, a service would log in to S3 or PostgreSQL with that word, sign checkpoints with it, and fail later and
 * obscurely: it refuses to start instead, naming every setting that still holds it.
 */
@ApplicationScoped
public class PlaceholderCheck {
    /** What the Kubernetes base ships in place of a real value. */
    public static final String PLACEHOLDER = "REPLACE_ME";

    void onStart(@Observes StartupEvent event) {
        Config config = ConfigProvider.getConfig();
        String problem = problem(config.getPropertyNames(), name -> {
            try {
                return config.getOptionalValue(name, String.class).orElse(null);
            } catch (IllegalArgumentException | NoSuchElementException e) {
                return null; // a value that does not resolve is not a placeholder; its own user reports it
            }
        });
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
    }

    /** Null when no setting holds the placeholder, else which ones do (as environment variables and properties). */
    static String problem(Iterable<String> names, Function<String, String> value) {
        Map<String, String> found = new TreeMap<>();
        for (String name : names) {
            if (PLACEHOLDER.equals(value.apply(name))) {
                found.put(envName(name), name);
            }
        }
        if (found.isEmpty()) {
            return null;
        }
        TreeSet<String> shown = new TreeSet<>(found.keySet());
        return shown.size() + " setting(s) still say " + PLACEHOLDER + " (the deployment's placeholder): " + shown
                + "; give each its real value (a Secret or ConfigMap of deploy/base) before starting";
    }

    private static String envName(String property) {
        return property.matches("[A-Z0-9_]+") ? property : property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
    }
}
