package org.convkit.transfer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;
import org.convkit.core.Json;
import org.convkit.core.RunFiles;
import org.convkit.model.ConvNet;

/**
 * What freezing did in each phase of a fine-tuning run, written to the run folder as {@code
 * freezing.json} (the report shows it): the stages that trained, trainable and frozen parameter
 * counts per stage, and fingerprints of the frozen stages (weights and BatchNorm statistics)
 * before and after the phase, which must be equal. The trained backbone stages get fingerprints
 * too, whose change shows they did train (their BatchNorm statistics included).
 */
final class FreezeLog {

    private final Path file;
    private final List<Map<String, Object>> phases = new ArrayList<>();
    private Map<String, Object> open;
    private List<String> frozen;
    private List<String> trained;

    FreezeLog(Path runDir) {
        this.file = runDir.resolve(RunFiles.FREEZING);
    }

    /** Keeps the phases of an earlier, interrupted run that ended by epoch {@code completed}. */
    @SuppressWarnings("unchecked")
    void keepFinished(int completed) {
        if (!java.nio.file.Files.isRegularFile(file)) {
            return;
        }
        try {
            Map<String, Object> root = Json.mapper().readValue(file.toFile(), Map.class);
            for (Object o : (List<Object>) root.getOrDefault("phases", List.of())) {
                Map<String, Object> p = (Map<String, Object>) o;
                List<Number> epochs = (List<Number>) p.get("epochs");
                if (epochs != null && epochs.get(1).intValue() <= completed) {
                    phases.add(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            // an unreadable log from before is replaced; the phases from now on are recorded
        }
    }

    /** Records the start of a phase whose freezing is already applied to {@code net}. */
    void begin(String name, int firstEpoch, int lastEpoch, ConvNet net) {
        Freezing.verify(net);
        frozen = Freezing.frozenStages(net.backbone());
        trained = new ArrayList<>(net.backbone().stageNames());
        trained.removeAll(frozen);
        open = new LinkedHashMap<>();
        open.put("phase", name);
        open.put("epochs", List.of(firstEpoch, lastEpoch));
        open.put("frozen_stages", frozen);
        open.put("trained_stages", trained);
        List<Map<String, Object>> counts = new ArrayList<>();
        for (Freezing.StageCount c : Freezing.counts(net)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("stage", c.stage());
            m.put("trainable", c.trainable());
            m.put("frozen", c.frozen());
            m.put("bn_buffers", c.buffers());
            m.put("frozen_stage", c.frozenStage());
            counts.add(m);
        }
        open.put("parameters", counts);
        open.put("frozen_fingerprint_before", Freezing.fingerprint(net, frozen));
        open.put("trained_fingerprint_before", Freezing.fingerprint(net, trained));
    }

    /**
     * Ends the phase: fingerprints again, writes the file, and fails when a frozen stage changed
     * (a bug: frozen means frozen).
     */
    void end(ConvNet net) {
        String before = (String) open.get("frozen_fingerprint_before");
        String after = Freezing.fingerprint(net, frozen);
        open.put("frozen_fingerprint_after", after);
        open.put("frozen_held", before.equals(after));
        String trainedAfter = Freezing.fingerprint(net, trained);
        open.put("trained_fingerprint_after", trainedAfter);
        open.put("trained_changed", !trained.isEmpty() && !trainedAfter.equals(open.get("trained_fingerprint_before")));
        phases.add(open);
        write();
        open = null;
        if (!before.equals(after)) {
            throw new ConvkitException("frozen stages " + frozen + " changed during phase " + phases.get(phases.size() - 1)
                    .get("phase") + " (fingerprint " + before.substring(0, 12) + " -> " + after.substring(0, 12)
                    + "): frozen weights or BatchNorm statistics moved. This is a convkit bug; see " + file);
        }
    }

    List<Map<String, Object>> phases() {
        return phases;
    }

    private void write() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("phases", phases);
        Json.writePretty(file, root);
    }
}
