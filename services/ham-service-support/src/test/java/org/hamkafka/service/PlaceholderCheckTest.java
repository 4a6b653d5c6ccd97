package org.hamkafka.service;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlaceholderCheckTest {
    @Test
    void settingsStillHoldingThePlaceholderAreNamedAndOthersPass() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("ham.s3.endpoint", "http://minio:9000");
        config.put("HAM_S3_SECRET_KEY", "REPLACE_ME");
        config.put("quarkus.datasource.password", "REPLACE_ME");
        config.put("ham.checkpoint.signing-key", "REPLACE_ME_NOT"); // only the exact placeholder counts
        config.put("ham.unset", null);
        String p = PlaceholderCheck.problem(config.keySet(), config::get);
        assertTrue(p != null && p.startsWith("2 setting(s) still say REPLACE_ME"), p);
        assertTrue(p.contains("[HAM_S3_SECRET_KEY, QUARKUS_DATASOURCE_PASSWORD]"), p);
        config.put("HAM_S3_SECRET_KEY", "s3cr3t");
        config.put("quarkus.datasource.password", "pw");
        assertNull(PlaceholderCheck.problem(config.keySet(), config::get));
        assertEquals(null, PlaceholderCheck.problem(java.util.List.of(), n -> "REPLACE_ME"));
    }
}
