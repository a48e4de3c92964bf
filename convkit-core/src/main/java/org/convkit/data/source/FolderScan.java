package org.convkit.data.source;

import java.util.List;
import org.convkit.data.Skipped;

/**
 * The result of reading a folder or label file: the usable images, the classes, what was left
 * out and why, and warnings.
 *
 * @param entries usable image files, in sample order
 * @param classes class names, index = label
 * @param skipped files left out, with reasons
 * @param warnings problems that did not leave a file out (an empty class folder)
 * @param bytes total size of the entries' files
 */
public record FolderScan(
        List<FileEntry> entries, List<String> classes, List<Skipped> skipped, List<String> warnings, long bytes) {}
