package org.convkit.data.source;

import java.util.List;
import org.convkit.data.ImageSource;
import org.convkit.data.Skipped;

/**
 * One split read from a container file (IDX, CIFAR binary).
 *
 * @param source the usable samples
 * @param skipped samples left out (labels outside the classes), with reasons
 * @param bytes size of the files read
 */
public record RawSplit(ImageSource source, List<Skipped> skipped, long bytes) {}
