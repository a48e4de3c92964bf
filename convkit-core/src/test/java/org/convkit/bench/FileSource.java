package org.convkit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.convkit.data.ImageSource;
import org.convkit.data.Sample;

/** Benchmark-only source: every *.jpg under a folder, label = parent folder's position. */
final class FileSource implements ImageSource {
    private final List<Path> files;
    private final List<String> classes;

    FileSource(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
        }
        classes = files.stream().map(p -> p.getParent().getFileName().toString()).distinct().sorted().toList();
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public Sample get(int index) throws IOException {
        Path p = files.get(index);
        return new Sample(p.getFileName().toString(), Files.readAllBytes(p), null,
                new int[] {classes.indexOf(p.getParent().getFileName().toString())});
    }

    List<Path> files() {
        return files;
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    @Override
    public String describe() {
        return files.size() + " JPEGs";
    }
}
