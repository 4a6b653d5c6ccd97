package org.hamkafka.trainer.rest;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Error answer: the field at fault (when there is one) and a message naming the allowed range. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorBody(String field, String message) {
}
