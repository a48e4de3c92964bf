package org.convkit.data.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.convkit.core.ConvkitException;
import org.convkit.data.Sample;
import org.convkit.data.Skipped;
import org.convkit.data.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    @TempDir
    Path root;

    @Test
    void classesAreSortedFolderNamesAndFilesSortedRecursively() throws Exception {
        TestImages.write(root.resolve("dog/b.jpg"), 8, 8, 1);
        TestImages.write(root.resolve("dog/a.PNG"), 8, 8, 2);
        TestImages.write(root.resolve("dog/sub/c.jpeg"), 8, 8, 3);
        TestImages.write(root.resolve("cat/z.bmp"), 8, 8, 4);
        TestImages.write(root.resolve("Zebra/1.jpg"), 8, 8, 5);
        FolderScan s = ImageFolder.scan(root, "train", null);
        // Python's sorted(): upper case before lower case
        assertEquals(List.of("Zebra", "cat", "dog"), s.classes());
        List<String> ids = s.entries().stream().map(FileEntry::id).toList();
        assertEquals(List.of("Zebra/1", "cat/z", "dog/a", "dog/b", "dog/sub/c"), ids);
        assertArrayEquals(new int[] {2}, s.entries().get(2).labels());
        assertArrayEquals(new int[] {0}, s.entries().get(0).labels());
        assertTrue(s.skipped().isEmpty());
        FileSource src = new FileSource(s.entries(), s.classes(), "t");
        Sample first = src.get(1);
        assertArrayEquals(Files.readAllBytes(root.resolve("cat/z.bmp")), first.encoded());
        assertEquals("cat/z", first.id());
        assertEquals(root.resolve("cat/z.bmp").toString(), src.location(1));
    }

    @Test
    void filesThatCannotBeSamplesAreListedWithReasons() throws Exception {
        TestImages.write(root.resolve("cat/ok.jpg"), 8, 8, 1);
        TestImages.bytes(root.resolve("cat/empty.jpg"), new byte[0]);
        TestImages.bytes(root.resolve("cat/notes.txt"), "hello".getBytes());
        TestImages.write(root.resolve("cat/anim.gif"), 8, 8, 2);
        TestImages.write(root.resolve("cat/._ok.jpg"), 8, 8, 3);
        TestImages.write(root.resolve(".ipynb_checkpoints/x.jpg"), 8, 8, 4);
        TestImages.write(root.resolve("loose.jpg"), 8, 8, 5);
        Files.createDirectories(root.resolve("dog"));
        FolderScan s = ImageFolder.scan(root, "train", null);
        assertEquals(List.of("cat", "dog"), s.classes());
        assertEquals(1, s.entries().size());
        Map<String, String> why = s.skipped().stream().collect(Collectors.toMap(k -> Path.of(k.file()).getFileName().toString(), Skipped::reason));
        assertTrue(why.get("empty.jpg").contains("0 bytes"), why.toString());
        assertTrue(why.get("notes.txt").contains("not an image file name"), why.toString());
        assertTrue(why.get("anim.gif").contains("not an image file name"), "torchvision does not accept .gif");
        assertTrue(why.get("._ok.jpg").contains("hidden"), why.toString());
        assertTrue(why.get("loose.jpg").contains("not inside a class folder"), why.toString());
        assertEquals(5, s.skipped().size());
        assertTrue(s.warnings().stream().anyMatch(w -> w.contains("'dog' has no images")), s.warnings().toString());
    }

    @Test
    void aFolderWithoutImagesIsAClearError() throws Exception {
        Files.createDirectories(root.resolve("cat"));
        TestImages.bytes(root.resolve("cat/readme.txt"), "x".getBytes());
        ConvkitException e = assertThrows(ConvkitException.class, () -> ImageFolder.scan(root, "train", null));
        assertTrue(e.getMessage().contains(root.toString()) && e.getMessage().contains("readme.txt"), e.getMessage());
        Path flat = root.resolve("flat");
        TestImages.write(flat.resolve("a.jpg"), 8, 8, 1);
        ConvkitException e2 = assertThrows(ConvkitException.class, () -> ImageFolder.scan(flat, "train", null));
        assertTrue(e2.getMessage().contains("no class folders"), e2.getMessage());
    }

    @Test
    void splitLayoutUsesTrainClassesEverywhere() {
        TestImages.write(root.resolve("train/a/1.jpg"), 8, 8, 1);
        TestImages.write(root.resolve("train/b/1.jpg"), 8, 8, 2);
        TestImages.write(root.resolve("val/b/1.jpg"), 8, 8, 3);
        TestImages.write(root.resolve("val/c/1.jpg"), 8, 8, 4);
        Map<String, Path> f = ImageFolder.splitFolders(root);
        assertEquals(List.of("train", "valid"), List.copyOf(f.keySet()));
        FolderScan valid = ImageFolder.scan(f.get("valid"), "valid", List.of("a", "b"));
        assertEquals(1, valid.entries().size());
        assertArrayEquals(new int[] {1}, valid.entries().get(0).labels(), "b keeps train's index 1, not its own 0");
        assertEquals(1, valid.skipped().size());
        assertTrue(valid.skipped().get(0).reason().contains("'c' is not one of the training classes"));
    }

    @Test
    void unlabeledFolderIdsAreFileNamesWithoutExtension() {
        TestImages.write(root.resolve("img_0002.jpg"), 8, 8, 1);
        TestImages.write(root.resolve("img_0001.png"), 8, 8, 2);
        TestImages.write(root.resolve("more/x.jpg"), 8, 8, 3);
        TestImages.bytes(root.resolve("bad.jpg"), new byte[0]);
        FolderScan s = UnlabeledFolder.scan(root);
        assertEquals(List.of("img_0001", "img_0002", "more/x"), s.entries().stream().map(FileEntry::id).toList());
        assertEquals(0, s.entries().get(0).labels().length);
        assertEquals(1, s.skipped().size());
    }
}
