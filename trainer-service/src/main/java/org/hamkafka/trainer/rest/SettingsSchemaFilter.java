package org.hamkafka.trainer.rest;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.hamkafka.core.train.PartialConfig;

import java.lang.reflect.Field;

/**
 * Gives the OpenAPI schema of the job settings the help text of their one declaration
 * ({@link PartialConfig}'s {@code @JsonPropertyDescription}, which the scanner does not read).
 */
public class SettingsSchemaFilter implements OASFilter {
    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getComponents() == null || api.getComponents().getSchemas() == null) {
            return;
        }
        Schema settings = api.getComponents().getSchemas().get(PartialConfig.class.getSimpleName());
        if (settings == null || settings.getProperties() == null) {
            return;
        }
        settings.setDescription("A training job's settings; a missing field takes the data set's default");
        for (Field f : PartialConfig.fields()) {
            Schema p = settings.getProperties().get(PartialConfig.publicName(f.getName()));
            JsonPropertyDescription d = f.getAnnotation(JsonPropertyDescription.class);
            if (p != null && d != null) {
                p.setDescription(d.value());
            }
        }
    }
}
