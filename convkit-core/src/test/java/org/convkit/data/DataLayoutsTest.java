package org.convkit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.convkit.core.ConvkitException;
import org.convkit.data.load.Datasets;
import org.convkit.data.source.SplitNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layouts datasets come in as people download them, each as a small real folder: Kaggle's Dogs
 * vs Cats (labels in file names, a flat test1/), Food-11 (class_N.jpg), Tianchi's street numbers
 * (mchar_train.json + folders, a flat mchar_test_a/), class folders beside a flat test/, and label
 * files given with --labels (CSV, JSON map). Names with spaces, an upper-case extension and a GIF
 * (not an image extension for torchvision: listed as skipped, never silently dropped) are among them.
 */
class DataLayoutsTest {
    @TempDir
    Path dir;

    private static OpenOptions noValid() {
        return OpenOptions.defaults().withValidSplit(0);
    }

    /** Kaggle's dogs-vs-cats: train/cat.0.jpg ... and a flat test1/1.jpg ... */
    private Path kaggle() {
        Path r = dir.resolve("dogs-vs-cats");
        for (int i = 0; i < 3; i++) {
            TestImages.write(r.resolve("train/cat." + i + ".jpg"), 8, 8, i);
            TestImages.write(r.resolve("train/dog." + i + ".jpg"), 8, 8, 10 + i);
        }
        TestImages.write(r.resolve("train/dog.3.JPG"), 8, 8, 20);
        TestImages.write(r.resolve("train/cat.4.gif"), 8, 8, 21);
        TestImages.write(r.resolve("test1/1.jpg"), 8, 8, 30);
        TestImages.write(r.resolve("test1/2.jpg"), 8, 8, 31);
        TestImages.write(r.resolve("test1/my photo.jpg"), 8, 8, 32);
        return r;
    }

    private static List<String> ids(ImageSource s) throws IOException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            out.add(s.get(i).id());
        }
        return out;
    }

    @Test
    void kaggleDogsVsCatsLabelsFromFileNamesAndAFlatTestFolder() throws Exception {
        Path r = kaggle();
        Dataset ds = Datasets.open(r.toString(), noValid().withLabelsFrom("class.N.ext"));
        assertEquals(List.of("cat", "dog"), ds.classes());
        assertEquals(7, ds.train().size(), "3 cats, 3 dogs and dog.3.JPG (upper-case extension)");
        List<String> ids = ids(ds.train());
        assertEquals(1, ds.train().get(ids.indexOf("dog.3")).labels()[0]);
        assertEquals(0, ds.train().get(ids.indexOf("cat.2")).labels()[0]);
        assertNull(ds.test(), "test1/ has no labels: not a test split for training or evaluation");
        assertEquals(List.of("test"), List.copyOf(ds.unlabeled().keySet()));
        assertEquals(List.of("1", "2", "my photo"), ids(ds.unlabeled().get("test")));
        assertTrue(ds.skipped().stream().anyMatch(s -> s.file().endsWith("cat.4.gif") && s.reason().contains("not an image file name")),
                ds.skipped().toString());
        String layout = String.join("\n", ds.layout());
        assertTrue(layout.contains("train/ labels from file names (--labels-from class.N.ext): 7 images, 2 classes"), layout);
        assertTrue(layout.contains("test1/ 3 images, no name matches --labels-from class.N.ext: unlabeled"), layout);
        assertEquals(r.resolve("test1"), Datasets.toPredict(r), "predict reads test1/, never train/");
    }

    @Test
    void withoutLabelsFromTheFileNamesAreSuggestedNotGuessed() {
        ConvkitException e = assertThrows(ConvkitException.class, () -> Datasets.open(kaggle().toString(), noValid()));
        assertTrue(e.getMessage().contains("the training folder has no labels"), e.getMessage());
        assertTrue(e.getMessage().contains("add --labels-from class.N.ext"), e.getMessage());
        assertTrue(e.getMessage().contains("cat 3, dog 4"), e.getMessage());
    }

    @Test
    void classFoldersBesideAFlatTestFolder() throws Exception {
        Path r = dir.resolve("flowers");
        TestImages.write(r.resolve("train/daisy/a 1.jpg"), 8, 8, 1);
        TestImages.write(r.resolve("train/daisy/a2.jpeg"), 8, 8, 2);
        TestImages.write(r.resolve("train/rose/b1.PNG"), 8, 8, 3);
        TestImages.write(r.resolve("train/rose/b2.png"), 8, 8, 4);
        TestImages.write(r.resolve("test/x.jpg"), 8, 8, 5);
        TestImages.write(r.resolve("test/y.gif"), 8, 8, 6);
        Dataset ds = Datasets.open(r.toString(), noValid());
        assertEquals(List.of("daisy", "rose"), ds.classes());
        assertEquals(List.of("daisy/a 1", "daisy/a2", "rose/b1", "rose/b2"), ids(ds.train()));
        assertNull(ds.test());
        assertEquals(List.of("x"), ids(ds.unlabeled().get("test")));
        assertTrue(String.join("\n", ds.layout()).contains("train/ class folders (ImageFolder): 4 images, 2 classes"), ds.layout().toString());
        assertTrue(ds.describe().contains("test (unlabeled): unlabeled folder"), ds.describe());
        assertEquals(r.resolve("test"), Datasets.toPredict(r));
        Path photos = dir.resolve("photos");
        TestImages.write(photos.resolve("a.jpg"), 8, 8, 7);
        TestImages.write(photos.resolve("test/b.jpg"), 8, 8, 8);
        assertEquals(photos, Datasets.toPredict(photos), "no train/: a folder of images, predicted whole");
        Path noTest = dir.resolve("no-test");
        TestImages.write(noTest.resolve("train/a/1.jpg"), 8, 8, 9);
        TestImages.write(noTest.resolve("val/a/1.jpg"), 8, 8, 10);
        ConvkitException e = assertThrows(ConvkitException.class, () -> Datasets.toPredict(noTest));
        assertTrue(e.getMessage().contains("without a test folder"), e.getMessage());
    }

    @Test
    void food11ClassIndicesInFileNamesSortNumerically() throws Exception {
        Path r = dir.resolve("food-11");
        TestImages.write(r.resolve("training/0_1.jpg"), 8, 8, 1);
        TestImages.write(r.resolve("training/0_2.jpg"), 8, 8, 2);
        TestImages.write(r.resolve("training/2_1.jpg"), 8, 8, 3);
        TestImages.write(r.resolve("training/10_1.jpg"), 8, 8, 4);
        TestImages.write(r.resolve("validation/10_7.jpg"), 8, 8, 5);
        TestImages.write(r.resolve("evaluation/0.jpg"), 8, 8, 6);
        Dataset ds = Datasets.open(r.toString(), noValid().withLabelsFrom("class_N.ext"));
        assertEquals(11, ds.classes().size(), "index labels: 0..10");
        assertEquals("10", ds.classes().get(10));
        List<String> ids = ids(ds.train());
        assertEquals(10, ds.train().get(ids.indexOf("10_1")).labels()[0]);
        assertEquals(10, ds.valid().get(0).labels()[0]);
        assertEquals(List.of("0"), ids(ds.unlabeled().get("test")), "evaluation/0.jpg matches no class_N name: unlabeled");
    }

    @Test
    void aRegularExpressionWithOneGroup() throws Exception {
        Path r = dir.resolve("colors");
        TestImages.write(r.resolve("red-01.png"), 8, 8, 1);
        TestImages.write(r.resolve("red-02.png"), 8, 8, 2);
        TestImages.write(r.resolve("light blue-01.png"), 8, 8, 3);
        TestImages.write(r.resolve("README.png"), 8, 8, 4);
        Dataset ds = Datasets.open(r.toString(), noValid().withLabelsFrom("^([a-z ]+)-\\d+"));
        assertEquals(List.of("light blue", "red"), ds.classes());
        assertEquals(3, ds.train().size());
        assertTrue(ds.skipped().stream().anyMatch(s -> s.file().endsWith("README.png") && s.reason().contains("does not match")));
        ConvkitException two = assertThrows(ConvkitException.class,
                () -> Datasets.open(r.toString(), noValid().withLabelsFrom("^([a-z]+)-(\\d+)")));
        assertTrue(two.getMessage().contains("--labels-from") && two.getMessage().contains("exactly one"), two.getMessage());
        ConvkitException bad = assertThrows(ConvkitException.class, () -> Datasets.open(r.toString(), noValid().withLabelsFrom("([a-z")));
        assertTrue(bad.getMessage().contains("not a regular expression"), bad.getMessage());
    }

    @Test
    void tianchiStreetNumbersWithAFlatTestFolder() throws Exception {
        Path r = dir.resolve("tianchi");
        TestImages.write(r.resolve("mchar_train/000000.png"), 8, 8, 1);
        TestImages.write(r.resolve("mchar_train/000001.png"), 8, 8, 2);
        TestImages.write(r.resolve("mchar_val/000000.png"), 8, 8, 3);
        TestImages.write(r.resolve("mchar_test_a/000000.png"), 8, 8, 4);
        TestImages.write(r.resolve("mchar_test_a/000001.png"), 8, 8, 5);
        Files.writeString(r.resolve("mchar_train.json"),
                "{\"000000.png\": {\"label\": [1, 9]}, \"000001.png\": {\"label\": [2, 3, 5]}}");
        Files.writeString(r.resolve("mchar_val.json"), "{\"000000.png\": {\"label\": [7]}}");
        Dataset ds = Datasets.open(r.toString(), noValid());
        assertEquals(3, ds.heads());
        assertEquals(2, ds.train().size());
        assertEquals(1, ds.valid().size());
        assertNull(ds.test());
        assertEquals(2, ds.unlabeled().get("test").size());
        assertEquals(r.resolve("mchar_test_a"), Datasets.toPredict(r));
        assertTrue(String.join("\n", ds.layout()).contains("mchar_train.json: Tianchi street-number JSON"), ds.layout().toString());
    }

    @Test
    void labelsGivenAsACsvOrAJsonMap() throws Exception {
        Path imgs = dir.resolve("photos");
        TestImages.write(imgs.resolve("first photo.jpg"), 8, 8, 1);
        TestImages.write(imgs.resolve("b.PNG"), 8, 8, 2);
        TestImages.write(imgs.resolve("sub/c.jpg"), 8, 8, 3);
        Path csv = Files.writeString(dir.resolve("my labels.csv"), "file,label\n\"first photo.jpg\",cat\nb.PNG,dog\nsub/c.jpg,cat\n");
        Dataset fromCsv = Datasets.open(imgs.toString(), noValid().withLabels(csv));
        assertEquals(List.of("cat", "dog"), fromCsv.classes());
        assertEquals(List.of("first photo", "b", "sub/c"), ids(fromCsv.train()));
        Path json = Files.writeString(dir.resolve("labels.json"), "{\"sub/c.jpg\": \"dog\", \"first photo.jpg\": 0, \"b.PNG\": 1}");
        Dataset fromJson = Datasets.open(imgs.toString(), noValid().withLabels(json).withClasses(List.of("cat", "dog")));
        assertEquals(List.of("b", "first photo", "sub/c"), ids(fromJson.train()), "sorted by file name");
        assertEquals(List.of(1, 0, 1), List.of(fromJson.train().get(0).labels()[0], fromJson.train().get(1).labels()[0],
                fromJson.train().get(2).labels()[0]));
        assertTrue(fromJson.layout().get(0).contains("labels from --labels"), fromJson.layout().toString());
        ConvkitException missing = assertThrows(ConvkitException.class,
                () -> Datasets.open(imgs.toString(), noValid().withLabels(dir.resolve("nope.csv"))));
        assertTrue(missing.getMessage().startsWith("--labels ") && missing.getMessage().contains("no such file"), missing.getMessage());
    }

    @Test
    void classNamesOrderTheClassFolders() throws Exception {
        Path r = dir.resolve("ordered");
        TestImages.write(r.resolve("ant/1.jpg"), 8, 8, 1);
        TestImages.write(r.resolve("bee/1.jpg"), 8, 8, 2);
        Dataset ds = Datasets.open(r.toString(), noValid().withClasses(List.of("bee", "ant")));
        assertEquals(List.of("bee", "ant"), ds.classes());
        assertEquals(1, ds.train().get(0).labels()[0], "ant/1.jpg is class 1 as --class-names says");
    }

    @Test
    void splitNamesAsDatasetsWriteThem() {
        assertEquals("train", SplitNames.of("mchar_train"));
        assertEquals("valid", SplitNames.of("mchar_val"));
        assertEquals("test", SplitNames.of("mchar_test_a"));
        assertEquals("test", SplitNames.of("test1"));
        assertEquals("test", SplitNames.of("evaluation"));
        assertEquals("valid", SplitNames.of("Validation"));
        assertNull(SplitNames.of("contest"));
        assertNull(SplitNames.of("trains"));
        assertNull(SplitNames.of("photos"));
    }
}
