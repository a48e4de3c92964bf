package org.convkit.core;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Writes files and directories users keep so that a crash never leaves a half-written one: the
 * content goes to a temporary name beside the target, is flushed to disk (fsync), then renamed over
 * the target. A reader sees either the old version or the new one, never a mix.
 *
 * <p>A directory cannot be renamed over a non-empty one, so replacing one takes three renames:
 * {@code .NAME.new} (complete) -> old {@code NAME} aside to {@code .NAME.old} -> {@code .NAME.new}
 * to {@code NAME} -> delete {@code .NAME.old}. {@link #recoverDirectory} finishes or undoes that
 * sequence after a crash at any point: a complete {@code .NAME.new} wins, else {@code .NAME.old}
 * comes back. A {@code .NAME.new} is complete once its {@code completeMarker} file exists; the
 * writer creates that file last.
 *
 * <p>One writer per target at a time (a run folder has one trainer); two concurrent writers of the
 * same directory are not supported.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes the content of one file. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Fills a fresh directory with files. */
    @FunctionalInterface
    public interface DirectoryWriter {
        void write(Path dir) throws IOException;
    }

    /** Writes {@code target} atomically: temp file in the same directory, fsync, rename. */
    public static void write(Path target, Writer writer) throws IOException {
        Path dir = parentOf(target);
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            writeSynced(tmp, writer);
            move(tmp, target);
            fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes one file inside a directory being built and fsyncs it; for {@link DirectoryWriter}s.
     */
    public static void writeSynced(Path file, Writer writer) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
            // writers such as Jackson close the stream they are given; the sync must come first
            writer.write(new FilterOutputStream(out) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    out.flush();
                }
            });
            out.flush();
            ch.force(true);
        }
    }

    /**
     * Replaces directory {@code target} atomically with what {@code writer} puts into a fresh
     * directory. The writer must create {@code completeMarker} (a file name inside the directory)
     * last: its presence is how recovery tells a finished directory from an interrupted one.
     */
    public static void writeDirectory(Path target, String completeMarker, DirectoryWriter writer)
            throws IOException {
        Path parent = parentOf(target);
        Files.createDirectories(parent);
        recoverDirectory(target, completeMarker);
        Path fresh = sibling(target, ".new");
        Path old = sibling(target, ".old");
        deleteTree(fresh); // an interrupted earlier write: recovery kept the complete version already
        deleteTree(old);
        Files.createDirectory(fresh);
        try {
            writer.write(fresh);
            if (!Files.isRegularFile(fresh.resolve(completeMarker))) {
                throw new IllegalStateException("directory writer did not create " + completeMarker);
            }
            fsyncDirectory(fresh);
            if (Files.exists(target)) {
                move(target, old);
            }
            move(fresh, target);
            fsyncDirectory(parent);
        } catch (IOException | RuntimeException e) {
            recoverDirectory(target, completeMarker);
            deleteTree(fresh);
            throw e;
        }
        deleteTree(old);
    }

    /**
     * Brings {@code target} back after an interrupted {@link #writeDirectory}: if it is missing, a
     * complete {@code .NAME.new} is moved in, else a {@code .NAME.old}. Returns whether the
     * directory exists afterwards. Leftovers beside an existing target are left for the next write.
     */
    public static boolean recoverDirectory(Path target, String completeMarker) throws IOException {
        if (Files.isDirectory(target)) {
            return true;
        }
        Path fresh = sibling(target, ".new");
        Path old = sibling(target, ".old");
        if (Files.isRegularFile(fresh.resolve(completeMarker))) {
            move(fresh, target);
        } else if (Files.isDirectory(old)) {
            move(old, target);
        } else {
            return false;
        }
        fsyncDirectory(parentOf(target));
        return true;
    }

    /** Deletes a file or a directory tree; nothing if absent. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static Path sibling(Path target, String suffix) {
        return parentOf(target).resolve("." + target.getFileName() + suffix);
    }

    private static Path parentOf(Path p) {
        Path abs = p.toAbsolutePath();
        return abs.getParent();
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes a rename durable: Linux needs the directory itself flushed. Best effort elsewhere. */
    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException(e);
        } catch (IOException e) {
            // some file systems (and Windows) cannot open a directory for sync; the rename still happened
        }
    }
}
