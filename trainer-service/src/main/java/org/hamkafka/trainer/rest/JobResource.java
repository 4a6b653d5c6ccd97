package org.hamkafka.trainer.rest;

import org.hamkafka.trainer.service.JobService;
import org.hamkafka.trainer.job.JobSettings;
import org.hamkafka.trainer.job.JobValidationException;
import org.hamkafka.trainer.service.JobView;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.hamkafka.core.train.PartialConfig;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hamkafka.trainer.persistence.JobEvent;

import jakarta.annotation.security.RolesAllowed;
import org.hamkafka.contracts.ApiRoles;

import java.util.List;

/** Training jobs: submit, list, inspect, cancel. */
@Path("/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "jobs", description = "Adversarial training jobs (HAM, PGD-AT, TRADES, Fast-AT, standard)")
@RolesAllowed({ApiRoles.VIEWER, ApiRoles.OPERATOR})
public class JobResource {
    @Inject
    JobService jobs;

    @POST
    @RolesAllowed(ApiRoles.OPERATOR)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit a training job; missing settings take the data set's defaults")
    @APIResponse(responseCode = "201", description = "the job, QUEUED or already RUNNING")
    @APIResponse(responseCode = "400", description = "a bad setting: {\"field\": ..., \"message\": ...}")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = PartialConfig.class)))
    public Response submit(String body, @Context UriInfo uri) throws JsonProcessingException {
        JobView job = jobs.submit(JobSettings.parse(body));
        return Response.created(uri.getAbsolutePathBuilder().path(job.id()).build()).entity(job).build();
    }

    @GET
    @Operation(summary = "Jobs, newest first, a page at a time (limit at most " + JobService.MAX_PAGE + ")")
    public List<JobView> list(@QueryParam("limit") @DefaultValue("100") int limit,
                              @QueryParam("offset") @DefaultValue("0") int offset) {
        if (limit < 1 || limit > JobService.MAX_PAGE) {
            throw new JobValidationException("limit", "limit must be in [1, " + JobService.MAX_PAGE + "]; got " + limit);
        }
        if (offset < 0) {
            throw new JobValidationException("offset", "offset must be >= 0; got " + offset);
        }
        return jobs.list(limit, offset);
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One job with its progress")
    @APIResponse(responseCode = "404", description = "no such job")
    public JobView get(@PathParam("id") String id) {
        return jobs.get(id).orElseThrow(() -> new JobNotFoundException(id));
    }

    @GET
    @Path("{id}/events")
    @Operation(summary = "What happened to a job, oldest first")
    public List<EventView> events(@PathParam("id") String id) {
        jobs.get(id).orElseThrow(() -> new JobNotFoundException(id));
        return jobs.events(id).stream().map(EventView::of).toList();
    }

    @POST
    @RolesAllowed(ApiRoles.OPERATOR)
    @Path("{id}/cancel")
    @Operation(summary = "Cancel a job: a queued one at once, a running one at its next step")
    @APIResponse(responseCode = "202", description = "the job, CANCELLED or about to be")
    @APIResponse(responseCode = "409", description = "the job already ended")
    public Response cancel(@PathParam("id") String id) {
        JobService.CancelOutcome outcome = jobs.cancel(id);
        return switch (outcome) {
            case UNKNOWN -> throw new JobNotFoundException(id);
            case ALREADY_FINAL -> Response.status(Response.Status.CONFLICT)
                    .entity(new ErrorBody(null, "job " + id + " already ended: " + jobs.get(id).map(j -> j.state().name()).orElse("?")))
                    .build();
            default -> Response.accepted(jobs.get(id).orElseThrow()).build();
        };
    }

    /** One job event as JSON. */
    public record EventView(String at, String kind, String message) {
        static EventView of(JobEvent e) {
            return new EventView(e.at.toString(), e.kind, e.message);
        }
    }
}
