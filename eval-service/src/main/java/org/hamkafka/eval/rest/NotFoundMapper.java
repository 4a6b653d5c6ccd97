package org.hamkafka.eval.rest;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** 404 with a JSON body saying what was not found. */
public class NotFoundMapper {
    public record ErrorBody(String error) {
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return Response.status(Response.Status.NOT_FOUND).type(MediaType.APPLICATION_JSON)
                .entity(new ErrorBody(e.getMessage())).build();
    }
}
