package org.convkit.model;

import static org.convkit.model.Nets.dims;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.convkit.core.ConvkitException;
import org.convkit.core.Runtime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VggTest {
    @BeforeAll
    static void engine() {
        Runtime.init();
    }

    /** torchvision.models documentation ("num_params" of each model's weights). */
    @ParameterizedTest
    @CsvSource({
        "vgg11,132863336", "vgg11_bn,132868840", "vgg13,133047848", "vgg13_bn,133053736",
        "vgg16,138357544", "vgg16_bn,138365992", "vgg19,143667240", "vgg19_bn,143678248"})
    void parameterCountsEqualTorchvision(String name, long expected) {
        assertEquals(expected, Summary.of(Zoo.create(name)).totalParams());
    }

    /**
     * d2l 8.2 prints, for a 1x1x224x224 input, each VGG block's output, then Flatten, Linear,
     * ReLU, Dropout, Linear, ReLU, Dropout, Linear.
     */
    @Test
    void customArchDefaultsToD2lsVggAndItsPrintout() {
        ConvNet net = Zoo.create("vgg");
        List<List<Long>> pools = Summary.of(net).layers().stream()
                .filter(r -> r.type().startsWith("MaxPool2d")).map(Summary.Row::outputShape).toList();
        assertEquals(List.of(dims(1, 64, 112, 112), dims(1, 128, 56, 56), dims(1, 256, 28, 28),
                dims(1, 512, 14, 14), dims(1, 512, 7, 7)), pools);
        assertEquals(List.of(dims(1, 25088), dims(1, 4096), dims(1, 4096), dims(1, 4096), dims(1, 4096),
                dims(1, 4096), dims(1, 4096), dims(1, 10)),
                Summary.of(net).layers().stream().filter(r -> !r.path().startsWith("backbone.features"))
                        .map(Summary.Row::outputShape).toList());
    }

    /** --arch sets the conv stages; --width scales every hidden width (convs and FC units). */
    @Test
    void customArchAndWidth() {
        ConvNet net = Zoo.create("vgg", Nets.at("vgg", 224).withArch("2x16,1x32").withClasses(5));
        var s = net.parameterShapes();
        assertEquals(new Shape(16, 1, 3, 3), s.get("backbone.features.0.weight"));
        assertEquals(new Shape(16, 16, 3, 3), s.get("backbone.features.2.weight"));
        assertEquals(new Shape(32, 16, 3, 3), s.get("backbone.features.5.weight"));
        assertEquals(new Shape(4096, 32 * 56 * 56), s.get("backbone.pre_logits.0.weight"));
        assertEquals(new Shape(5, 4096), s.get("head.0.weight"));
        var quarter = Zoo.create("vgg", Nets.at("vgg", 224).withWidthMultiplier(0.25)).parameterShapes();
        assertEquals(new Shape(16, 1, 3, 3), quarter.get("backbone.features.0.weight"));
        assertEquals(new Shape(1024, 128 * 7 * 7), quarter.get("backbone.pre_logits.0.weight"));
    }

    @Test
    void badArchNamesTheFlagAndTheForm() {
        for (String bad : new String[] {"64,128", "1x64,,", "0x64", "2x"}) {
            var e = assertThrows(ConvkitException.class, () -> Zoo.create("vgg", Nets.at("vgg", 224).withArch(bad)));
            assertTrue(e.getMessage().startsWith("--arch " + bad + ":") && e.getMessage().contains("1x64,1x128"), e.getMessage());
        }
    }

    @Test
    void stagesAndHead() {
        ConvNet net = Zoo.create("vgg16_bn");
        assertEquals(List.of("features", "pool", "pre_logits"), net.backbone().stageNames());
        assertEquals("classifier.6.weight", net.torchKeys().toTorch("head.0.weight").orElseThrow());
        assertEquals("classifier.3.bias", net.torchKeys().toTorch("backbone.pre_logits.3.bias").orElseThrow());
        assertEquals(4096, net.featureSize());
    }
}
