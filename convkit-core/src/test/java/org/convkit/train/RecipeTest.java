package org.convkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The recipe for a folder of photos as a unit: data statistics in, choices and reasons out. */
class RecipeTest {
    private static TrainConfig.Builder chosen(DataStats d, TrainConfig given, List<String> reasons) {
        TrainConfig.Builder c = given.toBuilder();
        reasons.addAll(Recipe.forPhotos(d, c, false));
        return c;
    }

    @Test
    void aFewHundredPhotosGetTheSmallResnet9At64PxSmallBatchesAndAdamW() {
        List<String> why = new java.util.ArrayList<>();
        // the 244 insect photos, two classes, photos of a few hundred pixels
        TrainConfig.Builder c = chosen(new DataStats(244, 2, 3, null, 375, true), TrainConfig.EMPTY, why);
        assertEquals("resnet9", c.model());
        assertEquals(0.25, c.width());
        assertEquals("stride2", c.stem(), "64 px photos are not thumbnails: the first conv halves them");
        assertEquals(64, c.imageSize());
        assertEquals(16, c.batchSize());
        assertEquals(40, c.epochs());
        assertEquals(0.4, c.mixup());
        assertEquals("adamw", c.optimizer());
        assertEquals(3e-3, c.lr());
        assertEquals("standard", c.augment());
        assertEquals(0.1, c.weightDecay());
        assertEquals(9, why.size(), why.toString());
        assertTrue(why.get(0).startsWith("model resnet9 (width 0.25, first conv at stride 2: about 0.4M parameters)"
                + " because of 244 training"
                + " images in 2 classes"), why.get(0));
        assertTrue(why.contains("optimizer adamw because from scratch on photos it learns more"
                + " than SGD in the few epochs a CPU affords"), why.toString());
        assertTrue(why.stream().anyMatch(w -> w.startsWith("weight decay 0.1 (AdamW's usual 0.01")), why.toString());
        assertTrue(why.stream().anyMatch(w -> w.startsWith("lr 0.003 (one-cycle peak) for AdamW from scratch")),
                why.toString());
        // the rest of the recipe fills what AdamW needs: beta1, no Nesterov; the photo recipe's weight decay stays
        TrainConfig full = Recipe.resolve(c.build(), new org.convkit.data.Dataset("insects", List.of("ant", "bee"),
                emptySource(244), null, null, 3, 64, 64, 1, 0, List.of(), List.of()));
        assertEquals("adamw", full.optimizer());
        assertEquals(3e-3, full.lr());
        assertEquals(0.1, full.weightDecay());
        assertEquals(0.9, full.momentum());
        assertEquals(false, full.nesterov());
    }

    @Test
    void theOptimizerAndLearningRateFollowWhatTheUserGave() {
        DataStats flowers = new DataStats(3457, 5, 3, 128, 128, true);
        List<String> why = new java.util.ArrayList<>();
        // a learning rate alone was meant for the documented default, SGD: no AdamW at SGD's rate
        TrainConfig.Builder lr = chosen(flowers, TrainConfig.builder().lr(0.05).build(), why);
        assertNull(lr.optimizer(), "left to the fixed recipe: sgd");
        assertEquals("sgd", Recipe.resolve(lr.build(), emptyDataset()).optimizer());
        assertTrue(why.stream().noneMatch(w -> w.startsWith("optimizer") || w.startsWith("lr ")), why.toString());
        // an optimizer alone: SGD keeps the range test; AdamW gets its fixed rate
        TrainConfig.Builder sgd = chosen(flowers, TrainConfig.builder().optimizer("sgd").build(), why);
        assertEquals("sgd", sgd.optimizer());
        assertTrue(sgd.build().lrAuto());
        assertEquals(3e-3, chosen(flowers, TrainConfig.builder().optimizer("adamw").build(), why).lr());
        // the weight decay: 0.1 for AdamW from scratch unless given; SGD keeps its own default
        assertEquals(0.1, chosen(flowers, TrainConfig.builder().optimizer("adamw").build(), why).weightDecay());
        assertEquals(0.05, chosen(flowers, TrainConfig.builder().weightDecay(0.05).build(), why).weightDecay());
        assertNull(sgd.weightDecay(), "left to SGD's default");
        assertTrue(chosen(flowers, TrainConfig.builder().optimizer("adam").build(), why).build().lrAuto());
        // --lr auto asked for: the range test, with AdamW
        TrainConfig.Builder auto = chosen(flowers, TrainConfig.builder().lr(TrainConfig.LR_AUTO).build(), why);
        assertEquals("adamw", auto.optimizer());
        assertTrue(auto.build().lrAuto());
    }

    private static org.convkit.data.ImageSource emptySource(int size) {
        return new org.convkit.data.ImageSource() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public org.convkit.data.Sample get(int index) {
                throw new AssertionError("the recipe reads only the statistics given");
            }

            @Override
            public List<String> classes() {
                return List.of("a", "b");
            }

            @Override
            public String describe() {
                return "photos";
            }
        };
    }

    private static org.convkit.data.Dataset emptyDataset() {
        return new org.convkit.data.Dataset("photos", List.of("a", "b"), emptySource(3457), null, null, 3, 64, 64, 1, 0,
                List.of(), List.of());
    }

    @Test
    void thousandsOfPhotosGetTheSmallResnet9At64PxFor40EpochsWithMixup() {
        List<String> why = new java.util.ArrayList<>();
        // flowers128: 3,457 photos of 5 classes, all 128x128
        TrainConfig.Builder c = chosen(new DataStats(3457, 5, 3, 128, 128, true), TrainConfig.EMPTY, why);
        assertEquals("resnet9", c.model());
        assertEquals(0.25, c.width());
        assertEquals("stride2", c.stem());
        assertEquals(64, c.imageSize());
        assertEquals(32, c.batchSize());
        assertEquals(40, c.epochs());
        assertEquals(0.4, c.mixup());
        assertNull(c.cutmix());
        assertEquals("adamw", c.optimizer());
        assertEquals(3e-3, c.lr());
        assertTrue(why.get(0).startsWith("model resnet9 (width 0.25, first conv at stride 2: about 0.4M parameters)"
                + " because of 3,457 training images in 5 classes"), why.get(0));
        assertTrue(why.contains("40 epochs because of 3,457 training images and mixing"), why.toString());
        assertTrue(why.stream().anyMatch(w -> w.startsWith("mixup 0.4 (each training photo blended with another")),
                why.toString());
        // from 10,000 photos on, fewer passes and no mixing
        TrainConfig.Builder many = chosen(new DataStats(12_000, 5, 3, null, 300, true), TrainConfig.EMPTY, why);
        assertEquals(6, many.epochs());
        assertNull(many.mixup());
    }

    /** MixUp comes with the epochs it needs: a run length the user set gets no mixing it did not ask for. */
    @Test
    void mixupAndItsFortyEpochsComeTogether() {
        DataStats flowers = new DataStats(3457, 5, 3, 128, 128, true);
        List<String> why = new java.util.ArrayList<>();
        TrainConfig.Builder epochs = chosen(flowers, TrainConfig.builder().epochs(20).build(), why);
        assertNull(epochs.mixup(), "--epochs given: no mixing");
        TrainConfig.Builder budget = chosen(flowers, TrainConfig.builder().budget("5m").build(), why);
        assertNull(budget.mixup(), "--budget given: no mixing");
        assertEquals(30, budget.epochs());
        TrainConfig.Builder off = chosen(flowers, TrainConfig.builder().mixup(0.0).build(), why);
        assertEquals(0.0, off.mixup());
        assertEquals(30, off.epochs(), "--mixup 0: the 30 epochs that suit no mixing");
        TrainConfig.Builder cut = chosen(flowers, TrainConfig.builder().cutmix(1.0).build(), why);
        assertNull(cut.mixup(), "--cutmix given: the user's mixing, not MixUp on top");
        assertEquals(40, cut.epochs());
        TrainConfig.Builder own = chosen(flowers, TrainConfig.builder().mixup(0.2).build(), why);
        assertEquals(0.2, own.mixup());
        assertEquals(40, own.epochs());
    }

    @Test
    void thumbnailsKeepTheirSizeWithTheCifarStem() {
        List<String> why = new java.util.ArrayList<>();
        // two CIFAR-10 classes as JPEG files: 2,000 images of 32x32
        TrainConfig.Builder c = chosen(new DataStats(2000, 2, 3, 32, 32, true), TrainConfig.EMPTY, why);
        assertEquals("resnet9", c.model());
        assertEquals("cifar", c.stem(), "thumbnails keep their size: the first conv at stride 1");
        assertEquals(0.25, c.width());
        assertEquals(32, c.imageSize());
        assertEquals(40, c.epochs());
        assertEquals(32, c.batchSize());
        // small photos: never enlarged
        assertEquals(56, chosen(new DataStats(5000, 3, 3, null, 56, true), TrainConfig.EMPTY, why).imageSize());
    }

    @Test
    void explicitValuesAlwaysWinAndAreNotExplained() {
        List<String> why = new java.util.ArrayList<>();
        TrainConfig given = TrainConfig.builder().model("simplecnn").batchSize(64).lr(0.05).epochs(3).augment("none")
                .build();
        TrainConfig.Builder c = chosen(new DataStats(244, 2, 3, null, 375, true), given, why);
        assertEquals("simplecnn", c.model());
        assertNull(c.width());
        assertNull(c.imageSize(), "a given model keeps its own input size rule");
        assertEquals(64, c.batchSize());
        assertEquals(0.05, c.lr());
        assertEquals(3, c.epochs());
        assertEquals("none", c.augment());
        assertEquals(List.of(), why);
        // a given width or stem is kept inside the chosen model
        TrainConfig.Builder w = chosen(new DataStats(244, 2, 3, null, 375, true),
                TrainConfig.builder().width(0.25).imageSize(96).build(), why);
        assertEquals(0.25, w.width());
        assertEquals(96, w.imageSize());
        // and said as given, not as the width the recipe would have chosen
        List<String> widthWhy = new java.util.ArrayList<>();
        chosen(new DataStats(3457, 5, 3, 128, 128, true), TrainConfig.builder().width(1.0).build(), widthWhy);
        assertTrue(widthWhy.get(0).startsWith("model resnet9 (width 1, first conv at stride 2: 6.6M parameters)"),
                widthWhy.get(0));
        // --transforms is the training pipeline: no augmentation preset is chosen or explained beside it
        List<String> transformsWhy = new java.util.ArrayList<>();
        TrainConfig.Builder t = chosen(new DataStats(3457, 5, 3, 128, 128, true),
                TrainConfig.builder().transforms("rrc=64,hflip").build(), transformsWhy);
        assertNull(t.augment());
        assertTrue(transformsWhy.stream().noneMatch(l -> l.startsWith("augment")), transformsWhy.toString());
    }

    @Test
    void theMainJobsBuiltInDataKeepsItsFixedRecipe() {
        org.convkit.data.ImageSource sixtyThousand = new org.convkit.data.ImageSource() {
            @Override
            public int size() {
                return 60_000;
            }

            @Override
            public org.convkit.data.Sample get(int index) {
                throw new AssertionError("the IDX format knows its shape: no image is read");
            }

            @Override
            public List<String> classes() {
                return List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
            }

            @Override
            public String describe() {
                return "fashion-mnist train";
            }
        };
        org.convkit.data.Dataset fashion = new org.convkit.data.Dataset("fashion-mnist", sixtyThousand.classes(),
                sixtyThousand, null, null, 1, 28, 28, 1, 0, List.of(), List.of());
        DataStats d = DataStats.of(fashion);
        assertEquals(false, d.photos());
        Recipe.Resolved r = Recipe.explain(TrainConfig.builder().data("fashion-mnist").build(), fashion, false);
        assertEquals(List.of(), r.reasons());
        TrainConfig c = r.config();
        assertEquals("simplecnn", c.model());
        assertEquals("32,64", c.arch());
        assertEquals("128", c.fc());
        assertEquals(28, c.imageSize());
        assertEquals(6, c.epochs());
        assertEquals(128, c.batchSize());
        assertEquals("sgd", c.optimizer());
        assertEquals(true, c.nesterov());
        assertEquals(0.1, c.lr());
        assertEquals("light", c.augment());
        assertEquals(true, c.backoff());
    }

    @Test
    void fineTuningASmallFolderTrainsFewEpochsWithLrAutoAndKeepsTheCheckpointsModel() {
        // the plan settled the model (the checkpoint's); the head phase comes first (FineTuning)
        TrainConfig.Builder c = TrainConfig.builder().model("resnet18").build().toBuilder();
        List<String> why = Recipe.forPhotos(new DataStats(244, 2, 3, null, 375, true), c, true);
        assertEquals("resnet18", c.model());
        assertNull(c.width(), "a pretrained network keeps its shape");
        assertNull(c.imageSize(), "and its input size rule");
        assertEquals(5, c.epochs());
        assertNull(c.mixup(), "no mixing for a few epochs of fine-tuning");
        assertEquals(16, c.batchSize());
        assertNull(c.optimizer(), "fine-tuning keeps SGD (the fixed recipe's)");
        assertTrue(c.build().lrAuto());
        assertTrue(why.stream().anyMatch(w -> w.equals("5 epochs because of 244 training images and trained weights"
                + " to start from")), why.toString());
    }
}
