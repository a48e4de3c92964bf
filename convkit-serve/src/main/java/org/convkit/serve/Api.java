package org.convkit.serve;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;
import org.convkit.eval.ImagePrediction;
import org.convkit.eval.ModelCard;
import org.convkit.eval.Scored;

/** The JSON the API answers with: one record per document, written by Jackson as named. */
final class Api {
    private Api() {}

    /** The model's name and the version its answers came from: the first 12 hex digits of the weights' SHA-256. */
    record ModelRef(String name, String version) {
        static ModelRef of(ModelCard card) {
            String sha = card.weightsSha256();
            return new ModelRef(card.name(), sha.isEmpty() ? "unknown" : "sha256:" + sha.substring(0, Math.min(12, sha.length())));
        }
    }

    /** {@code POST /v1/predict}: one entry per image, in the order they came. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record PredictResponse(ModelRef model, List<Prediction> predictions, @JsonProperty("took_ms") double tookMs,
            ApiError.Detail error) {}

    /**
     * One image's answer.
     *
     * @param top the k most probable classes (single-head models)
     * @param heads per position, the k most probable classes (multi-head models; {@code label} is
     *     the joined sequence)
     * @param batchSize images in the forward pass this one was part of
     * @param queuedMs how long it waited for its pass
     * @param error why there is no prediction
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Prediction(String id, String label, Double probability, List<Scored> top, List<List<Scored>> heads,
            @JsonProperty("batch_size") Integer batchSize, @JsonProperty("queued_ms") Double queuedMs,
            ApiError.Detail error) {

        static Prediction of(PredictionService.Answer a) {
            ImagePrediction p = a.prediction();
            if (!p.ok()) {
                return new Prediction(p.id(), null, null, null, null, null, null, detail(p.problem()));
            }
            boolean multi = p.top().size() > 1;
            return new Prediction(p.id(), p.label(), p.probability(), multi ? null : p.top().get(0),
                    multi ? p.top() : null, a.batchSize(), a.queuedMs(), null);
        }
    }

    /** The HTTP status of a bad image: 415 not an image, 413 above the pixel limit, 400 empty or unreadable. */
    static ApiError.Detail detail(ImagePrediction.Problem p) {
        int status = switch (p.kind()) {
            case NOT_AN_IMAGE -> 415;
            case TOO_LARGE -> 413;
            case EMPTY, UNREADABLE -> 400;
        };
        return new ApiError.Detail(status, p.kind().name().toLowerCase(Locale.ROOT), p.message());
    }

    /** {@code GET /v1/model}: what the model is, what it expects, and the server's limits. */
    record ModelInfo(String name, String version, String architecture, List<String> classes, int heads, Input input,
            Normalization normalization, String transforms, long parameters,
            @JsonProperty("weights_sha256") String weightsSha256,
            @JsonProperty("convkit_version") String convkitVersion, String engine, Limits server) {

        static ModelInfo of(ModelCard c, String engine, ServeOptions o) {
            return new ModelInfo(c.name(), ModelRef.of(c).version(), c.architecture(), c.classes(), c.heads(),
                    new Input(c.channels(), c.height(), c.width()), new Normalization(c.mean(), c.std()),
                    c.transforms(), c.parameters(), c.weightsSha256(), c.convkitVersion(), engine,
                    new Limits(o.maxBatch(), o.maxWaitMs(), o.queueImages(), o.timeoutMs(), o.maxUploadBytes(),
                            o.maxPixels(), o.topK()));
        }
    }

    record Input(int channels, int height, int width) {}

    record Normalization(float[] mean, float[] std) {}

    record Limits(@JsonProperty("max_batch") int maxBatch, @JsonProperty("max_wait_ms") int maxWaitMs,
            @JsonProperty("queue_images") int queueImages, @JsonProperty("timeout_ms") int timeoutMs,
            @JsonProperty("max_upload_bytes") long maxUploadBytes, @JsonProperty("max_pixels") long maxPixels,
            @JsonProperty("top_k") int topK) {}

    /** {@code GET /health} and {@code /ready}. */
    record Status(String status) {}
}
