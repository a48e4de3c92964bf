package org.convkit.model.weights;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a checkpoint needs to resume training exactly: where training was and the optimizer's
 * tensors. The trainer decides what goes in; a checkpoint stores it and gives it back unchanged.
 *
 * @param epoch epochs completed
 * @param step optimizer steps taken
 * @param state free-form JSON-able map the trainer fills: optimizer name and hyper-parameters,
 *     schedule position, RNG state, best metric so far ... Values come back as Jackson reads JSON
 *     (Integer or Long for integers, Double, String, Boolean, List, Map): read numbers through
 *     {@link Number}.
 * @param tensors optimizer state by name (e.g. "adam.m.backbone.layer1.0.conv1.weight"); stored
 *     in {@code optimizer.safetensors}. On load they belong to the manager given to
 *     {@link Checkpoint#load}.
 */
public record TrainingState(int epoch, long step, Map<String, Object> state, Map<String, NDArray> tensors) {
    public TrainingState {
        state = state == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(state));
        tensors = tensors == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }
}
