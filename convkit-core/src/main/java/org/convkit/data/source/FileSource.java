package org.convkit.data.source;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.convkit.data.ImageSource;
import org.convkit.data.Sample;

/**
 * Images stored as files (ImageFolder, label files, unlabeled folders): {@link #get} returns the
 * file's bytes as they are, the decoder runs later on a loader thread. Immutable, so thread-safe.
 */
public final class FileSource implements ImageSource {
    private final List<FileEntry> entries;
    private final List<String> classes;
    private final String description;

    /**
     * @param entries the files in sample order
     * @param classes class names (empty for unlabeled data)
     * @param description for messages, e.g. "ImageFolder /data/food11/train"
     */
    public FileSource(List<FileEntry> entries, List<String> classes, String description) {
        this.entries = List.copyOf(entries);
        this.classes = List.copyOf(classes);
        this.description = description;
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public Sample get(int index) throws IOException {
        FileEntry e = entries.get(index);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(e.file());
        } catch (IOException ex) {
            throw new IOException(e.file() + ": cannot read (" + ex.getMessage() + ")", ex);
        }
        if (bytes.length == 0) {
            throw new IOException(e.file() + ": empty file (0 bytes)");
        }
        return new Sample(e.id(), bytes, null, e.labels().clone());
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    @Override
    public String describe() {
        return description + ", " + entries.size() + " files";
    }

    @Override
    public int[] labels(int index) {
        return entries.get(index).labels().clone();
    }

    @Override
    public String location(int index) {
        return entries.get(index).file().toString();
    }

    /** The entries, in sample order. */
    public List<FileEntry> entries() {
        return entries;
    }
}
