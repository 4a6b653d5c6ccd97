package org.hamkafka.eval.rest;

import jakarta.annotation.security.RolesAllowed;
import org.hamkafka.contracts.ApiRoles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.EvalResult;
import org.hamkafka.core.eval.FairnessMetrics;
import org.hamkafka.core.eval.ModelCard;
import org.hamkafka.eval.persistence.EvalResultEntity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * Stored evaluations. {@code result} is the EvalResult as published on ham.eval.results, read as {@link Codec}
 * reads it (rows of schema version 1 upgraded to version 2; a row from before the four-attack AutoAttack names
 * its APGD part {@code autoattack-apgd}); {@code .../card} the checkpoint's model card, read the same way.
 * 404 names what is unknown; 400 names the bad parameter.
 */
@Path("/results")
@RolesAllowed({ApiRoles.VIEWER, ApiRoles.OPERATOR})
@Produces(MediaType.APPLICATION_JSON)
public class ResultsResource {
    private static final ObjectMapper JSON = Codec.mapper();

    /** One stored row; {@code result} is null for a rejected checkpoint. */
    public record ResultView(String jobId, int epoch, String checkpointKey, String sha256, String status,
                             String reason, String attack, Integer examples, Double cleanAverage, Double cleanWorst,
                             Double robustAverage, Double robustWorst, boolean published, Instant evaluatedAt,
                             JsonNode result) {
    }

    /**
     * Latest evaluated epochs of two jobs side by side. {@code rho} is DAFA's trade-off score of the
     * candidate against the base on robust accuracy, {@code rho_clean} on clean accuracy (null with a
     * {@code note} when undefined: a base accuracy of 0, or different headline attacks).
     */
    public record Comparison(ResultView base, ResultView candidate, String attack, Double rho, Double rhoClean,
                             String note) {
    }

    /**
     * One line of the jobs table: what was trained, how many epochs were evaluated and the headline numbers
     * of the highest one.
     */
    public record JobSummary(String jobId, String method, String model, String dataset, float eps, long epochs,
                             int latestEpoch, String attack, Double cleanAverage, Double robustAverage,
                             Double robustWorst, String worstClass, Instant evaluatedAt) {
    }

    @GET
    @Path("/jobs")
    @Operation(summary = "Every job with an evaluated checkpoint: its latest evaluation's headline numbers")
    public List<JobSummary> jobs() {
        java.util.Map<String, Long> epochs = EvalResultEntity.evaluatedEpochsByJob();
        return EvalResultEntity.latestOfEveryJob().stream().map(r -> new JobSummary(r.jobId, r.method, r.model,
                r.dataset, r.eps, epochs.getOrDefault(r.jobId, 0L), r.epoch, r.attack, r.cleanAverage, r.robustAverage,
                r.robustWorst, Codec.fromJson(r.resultJson, EvalResult.class).robustAccuracy().worstClass(),
                r.evaluatedAt)).toList();
    }

    @GET
    @Operation(summary = "Every stored evaluation of a job (all epochs, rejected checkpoints included)")
    public List<ResultView> ofJob(@Parameter(description = "job id", required = true) @QueryParam("job") String job) {
        requireParam("job", job);
        List<EvalResultEntity> rows = EvalResultEntity.ofJob(job);
        if (rows.isEmpty()) {
            throw new NotFoundException("no evaluation of job '" + job + "'");
        }
        return rows.stream().map(ResultsResource::view).toList();
    }

    @GET
    @Path("/{job}/latest")
    @Operation(summary = "The evaluation of a job's highest evaluated epoch")
    public ResultView latest(@PathParam("job") String job) {
        return view(EvalResultEntity.latestEvaluated(job)
                .orElseThrow(() -> new NotFoundException("no evaluated checkpoint of job '" + job + "'")));
    }

    @GET
    @Path("/{job}/{epoch}")
    @Operation(summary = "The evaluation of one epoch of a job")
    public ResultView epoch(@PathParam("job") String job, @PathParam("epoch") String epoch) {
        int e = epochOf(epoch);
        return view(EvalResultEntity.evaluated(job, e)
                .orElseThrow(() -> new NotFoundException("no evaluated checkpoint of job '" + job + "' epoch " + e)));
    }

    @GET
    @Path("/{job}/latest/card")
    @Operation(summary = "The model card (RobustBench's JSON format, with a class-wise extension) of a job's highest "
            + "evaluated epoch")
    public JsonNode latestCard(@PathParam("job") String job) {
        return card(EvalResultEntity.latestEvaluated(job)
                .orElseThrow(() -> new NotFoundException("no evaluated checkpoint of job '" + job + "'")));
    }

    @GET
    @Path("/{job}/{epoch}/card")
    @Operation(summary = "The model card (RobustBench's JSON format, with a class-wise extension) of one epoch")
    public JsonNode epochCard(@PathParam("job") String job, @PathParam("epoch") String epoch) {
        int e = epochOf(epoch);
        return card(EvalResultEntity.evaluated(job, e)
                .orElseThrow(() -> new NotFoundException("no evaluated checkpoint of job '" + job + "' epoch " + e)));
    }

    static JsonNode card(EvalResultEntity r) {
        if (r.cardJson == null) {
            throw new NotFoundException("checkpoint " + r.checkpointKey + " was evaluated before model cards existed");
        }
        try {
            // read as ham-core reads a card: one stored before the four-attack standard names its APGD part as such
            return JSON.readTree(ModelCard.fromJson(r.cardJson).toJson());
        } catch (IOException e) { // toJson's own output: not expected
            throw new UncheckedIOException("model card of " + r.checkpointKey + " could not be re-read", e);
        } catch (IllegalArgumentException e) { // the stored text is not JSON, or not a card
            throw new IllegalStateException("stored model card of " + r.checkpointKey + " is not readable: "
                    + e.getMessage(), e);
        }
    }

    @GET
    @Path("/compare")
    @Operation(summary = "Latest evaluations of two jobs side by side, with DAFA's rho of candidate against base")
    public Comparison compare(@QueryParam("base") String base, @QueryParam("candidate") String candidate) {
        requireParam("base", base);
        requireParam("candidate", candidate);
        EvalResultEntity b = EvalResultEntity.latestEvaluated(base)
                .orElseThrow(() -> new NotFoundException("no evaluated checkpoint of base job '" + base + "'"));
        EvalResultEntity c = EvalResultEntity.latestEvaluated(candidate)
                .orElseThrow(() -> new NotFoundException("no evaluated checkpoint of candidate job '" + candidate + "'"));
        Double rho = null;
        Double rhoClean = null;
        String note = null;
        if (!b.attack.equals(c.attack)) {
            note = "robust accuracies were measured with different attacks (" + b.attack + " vs " + c.attack + ")";
        } else {
            try {
                rho = FairnessMetrics.rho(c.robustWorst, b.robustWorst, c.robustAverage, b.robustAverage);
            } catch (IllegalArgumentException e) {
                note = "rho (robust) undefined: " + e.getMessage();
            }
        }
        try {
            rhoClean = FairnessMetrics.rho(c.cleanWorst, b.cleanWorst, c.cleanAverage, b.cleanAverage);
        } catch (IllegalArgumentException e) {
            note = (note == null ? "" : note + "; ") + "rho (clean) undefined: " + e.getMessage();
        }
        return new Comparison(view(b), view(c), b.attack, rho, rhoClean, note);
    }

    private static int epochOf(String epoch) {
        int e;
        try {
            e = Integer.parseInt(epoch);
        } catch (NumberFormatException ex) {
            throw BadParameterException.of("epoch", "must be an integer >= 0 or 'latest'; got '" + epoch + "'");
        }
        if (e < 0) {
            throw BadParameterException.of("epoch", "must be >= 0; got " + e);
        }
        return e;
    }

    private static void requireParam(String name, String value) {
        if (value == null || value.isBlank()) {
            throw BadParameterException.of(name, "query parameter '" + name + "' is required");
        }
    }

    static ResultView view(EvalResultEntity r) {
        // rows stored under schema version 1 are served as version 2 (Codec upgrades them)
        JsonNode result = r.resultJson == null ? null
                : JSON.valueToTree(Codec.fromJson(r.resultJson, EvalResult.class));
        return new ResultView(r.jobId, r.epoch, r.checkpointKey, r.sha256, r.status.name(), r.reason, r.attack,
                r.examples, r.cleanAverage, r.cleanWorst, r.robustAverage, r.robustWorst, r.published, r.evaluatedAt,
                result);
    }
}
