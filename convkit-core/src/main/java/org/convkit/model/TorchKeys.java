package org.convkit.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Maps our parameter paths to the state-dict keys of a PyTorch implementation (torchvision, timm)
 * by prefix rewriting, e.g. {@code backbone.stem.conv1.} to {@code conv1.} and {@code head.0.} to
 * {@code fc.}. Rules are tried in order; the first matching prefix wins.
 */
public final class TorchKeys {
    private final List<String[]> rules;

    private TorchKeys(List<String[]> rules) {
        this.rules = rules;
    }

    /** Pairs of (our prefix, torch prefix). */
    public static TorchKeys of(String... pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("prefix rules come in pairs");
        }
        List<String[]> r = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            r.add(new String[] {pairs[i], pairs[i + 1]});
        }
        return new TorchKeys(List.copyOf(r));
    }

    /** Our path to the torch key; empty if no rule covers it (no torch counterpart). */
    public Optional<String> toTorch(String ourPath) {
        for (String[] r : rules) {
            if (ourPath.startsWith(r[0])) {
                return Optional.of(r[1] + ourPath.substring(r[0].length()));
            }
        }
        return Optional.empty();
    }
}
