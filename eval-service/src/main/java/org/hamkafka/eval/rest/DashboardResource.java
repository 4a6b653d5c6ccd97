package org.hamkafka.eval.rest;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.hamkafka.contracts.ApiRoles;
import org.hamkafka.eval.messaging.LiveFeed;
import org.hamkafka.service.JobIds;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The fairness dashboard's pages. A page holds no results: its script reads them from {@code /results/...}
 * (a viewer's token, sent as the {@code ham_token} cookie that the token page sets, or as a bearer header), so
 * the pages themselves are open, and a browser without a token is sent to the token page by the script.
 * Bad parameters answer 400 naming them, like the REST API.
 */
@Path("/dashboard")
@Produces(MediaType.TEXT_HTML)
public class DashboardResource {
    /** More jobs than this on one compare page is no longer readable as bars. */
    static final int MAX_COMPARED = 6;
    static final Duration HEARTBEAT = Duration.ofSeconds(20);

    private final LiveFeed live;

    public DashboardResource(LiveFeed live) {
        this.live = live;
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance jobs();

        static native TemplateInstance job(String jobId);

        static native TemplateInstance compare(List<String> jobs, String base);

        static native TemplateInstance live();

        static native TemplateInstance token();
    }

    @GET
    @PermitAll
    @Operation(summary = "Dashboard: every evaluated job, sortable")
    public TemplateInstance jobs() {
        return Templates.jobs();
    }

    @GET
    @Path("/jobs/{job}")
    @PermitAll
    @Operation(summary = "Dashboard: one job's curves over epochs and per-class bars")
    public TemplateInstance job(@PathParam("job") String job) {
        if (!JobIds.plausible(job)) {
            throw BadParameterException.of("job", "not a job id");
        }
        return Templates.job(job);
    }

    @GET
    @Path("/compare")
    @PermitAll
    @Operation(summary = "Dashboard: jobs side by side, with rho against a base job")
    public TemplateInstance compare(@QueryParam("jobs") String jobs, @QueryParam("base") String base) {
        if (jobs == null || jobs.isBlank()) {
            throw BadParameterException.of("jobs", "query parameter 'jobs' is required: two or more job ids, "
                    + "comma-separated");
        }
        List<String> ids = List.copyOf(new LinkedHashSet<>(Arrays.stream(jobs.split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList()));
        if (ids.size() < 2 || ids.size() > MAX_COMPARED) {
            throw BadParameterException.of("jobs", "must name 2 to " + MAX_COMPARED + " different jobs; got "
                    + ids.size());
        }
        for (String id : ids) {
            if (!JobIds.plausible(id)) {
                throw BadParameterException.of("jobs", "not a job id: '" + id + "'");
            }
        }
        String b = base == null || base.isBlank() ? ids.get(0) : base.strip();
        if (!ids.contains(b)) {
            throw BadParameterException.of("base", "must be one of the compared jobs; got '" + b + "'");
        }
        return Templates.compare(ids, b);
    }

    @GET
    @Path("/live")
    @PermitAll
    @Operation(summary = "Dashboard: new evaluations and training progress as they come")
    public TemplateInstance live() {
        return Templates.live();
    }

    @GET
    @Path("/token")
    @PermitAll
    @Operation(summary = "Dashboard: paste a viewer's token (kept in a cookie of this site)")
    public TemplateInstance token() {
        return Templates.token();
    }

    @GET
    @Path("/events")
    @RolesAllowed({ApiRoles.VIEWER, ApiRoles.OPERATOR})
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Server-sent events of ham.eval.results and ham.training.progress, from now on")
    public Multi<LiveFeed.LiveEvent> events() {
        // a heartbeat at once (the first tick: the browser sees the stream open) and then every HEARTBEAT (idle
        // proxies keep it open)
        Multi<LiveFeed.LiveEvent> heartbeats = Multi.createFrom().ticks().every(HEARTBEAT)
                .map(t -> LiveFeed.LiveEvent.heartbeat());
        return Multi.createBy().merging().streams(heartbeats, live.events());
    }
}
