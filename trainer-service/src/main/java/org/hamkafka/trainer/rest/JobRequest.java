package org.hamkafka.trainer.rest;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.ArrayList;
import java.util.List;

/**
 * A job as submitted to {@code POST /jobs}. Every field is optional except none: a missing field
 * takes the paper's default for the data set (ham-core's {@code TrainConfig.defaults(dataset)}).
 * JSON names are snake_case: {@code drop_step}, {@code warmup_epochs}, {@code shards_per_batch}...
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "A training job: data set, model, method and its settings; missing fields take the defaults")
public class JobRequest {
    @Schema(description = "fashion-mnist, cifar10, svhn or imagenette", defaultValue = "fashion-mnist")
    public String dataset;
    @Schema(description = "architecture: linear, tiny-cnn, smallcnn, smallcnn-w<width> (e.g. smallcnn-w0.25), preact-resnet18, wrn-<depth>-<width>")
    public String model;
    @Schema(description = "standard, pgd-at, trades, fast-at or ham", defaultValue = "ham")
    public String method;
    @Schema(description = "linf or l2", defaultValue = "linf")
    public String norm;
    public Float eps;
    public Float alpha;
    @Schema(description = "K, attack steps")
    public Integer steps;
    @Schema(description = "K', HAM's early-drop step, 1 <= K' < K")
    public Integer dropStep;
    public Float lambda;
    public Float base;
    @Schema(description = "true: HAM's tanh weights; false: uniform weights on the hard examples")
    public Boolean weighting;
    public Boolean variationOnLogits;
    public Integer warmupEpochs;
    public Float tradesBeta;
    public Float fastAlpha;
    public Integer epochs;
    public Integer batchSize;
    public Float lr;
    public Float momentum;
    public Float weightDecay;
    public Long seed;
    @Schema(description = "class-balanced training subset size, 0 = all")
    public Integer trainSubset;
    @Schema(description = "class-balanced test subset size, 0 = all")
    public Integer testSubset;
    public List<String> evalAttacks;
    @Schema(description = "shards each batch is split into (one attack request each)", defaultValue = "1")
    public Integer shardsPerBatch;
    @Schema(description = "batches whose attack requests may be out at once; > 1 attacks with weights up to that many "
            + "versions old", defaultValue = "1")
    public Integer batchesInFlight;

    /** Names of fields the request carried that this API does not know (reported as a 400). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public final List<String> unknownFields = new ArrayList<>();

    @JsonAnySetter
    void unknown(String name, Object value) {
        unknownFields.add(name);
    }
}
