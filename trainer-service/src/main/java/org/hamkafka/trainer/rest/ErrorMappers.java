package org.hamkafka.trainer.rest;

import org.hamkafka.trainer.job.JobValidationException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Errors as {@code {"field": ..., "message": ...}} JSON. */
public class ErrorMappers {
    @ServerExceptionMapper
    public Response invalid(JobValidationException e) {
        return json(Response.Status.BAD_REQUEST, new ErrorBody(e.field(), e.getMessage()));
    }

    @ServerExceptionMapper
    public Response notFound(JobNotFoundException e) {
        return json(Response.Status.NOT_FOUND, new ErrorBody(null, e.getMessage()));
    }

    /** A value of the wrong type (more specific than Quarkus' built-in mapper for it). */
    @ServerExceptionMapper(priority = Priorities.USER - 100)
    public Response wrongType(InvalidFormatException e) {
        return unreadable(e);
    }

    @ServerExceptionMapper(priority = Priorities.USER - 100)
    public Response mismatched(MismatchedInputException e) {
        return unreadable(e);
    }

    /** Malformed JSON or a value of the wrong type: name the field when Jackson knows it. */
    @ServerExceptionMapper(priority = Priorities.USER - 100)
    public Response unreadable(JsonProcessingException e) {
        String field = null;
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            field = m.getPath().get(m.getPath().size() - 1).getFieldName();
        }
        String message = field == null ? "request body is not valid JSON: " + e.getOriginalMessage()
                : "field '" + field + "' has the wrong type: " + e.getOriginalMessage();
        return json(Response.Status.BAD_REQUEST, new ErrorBody(field, message));
    }

    private static Response json(Response.Status status, ErrorBody body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build();
    }
}
