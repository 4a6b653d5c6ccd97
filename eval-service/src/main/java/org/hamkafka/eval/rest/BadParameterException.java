package org.hamkafka.eval.rest;

import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** 400 with a body that names the parameter and what is wrong with it. */
public final class BadParameterException {
    public record ErrorBody(String error, String parameter) {
    }

    private BadParameterException() {
    }

    public static BadRequestException of(String parameter, String message) {
        return new BadRequestException(message, Response.status(Response.Status.BAD_REQUEST)
                .type(MediaType.APPLICATION_JSON).entity(new ErrorBody(parameter + ": " + message, parameter)).build());
    }
}
