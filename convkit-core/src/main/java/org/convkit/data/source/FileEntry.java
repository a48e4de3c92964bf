package org.convkit.data.source;

import java.nio.file.Path;

/**
 * One image file of a dataset.
 *
 * @param file the image
 * @param id its sample id (unique within the split)
 * @param labels class index per head; empty when unlabeled
 */
public record FileEntry(Path file, String id, int[] labels) {}
