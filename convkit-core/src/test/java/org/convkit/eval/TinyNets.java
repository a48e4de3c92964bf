package org.convkit.eval;

import org.convkit.model.Backbone;
import org.convkit.model.ConvNet;
import org.convkit.model.Init;
import org.convkit.model.ModelOptions;
import org.convkit.model.TorchKeys;
import org.convkit.model.layers.Layers;

/** A network small enough for unit tests, with the layers whose mode matters: BatchNorm, Dropout. */
final class TinyNets {
    private TinyNets() {}

    static ConvNet convBnDropout(int channels, int size, int classes, int heads) {
        Backbone b = new Backbone()
                .add("conv", Layers.conv(4, 3, 1, 1))
                .add("bn", Layers.bn())
                .add("relu", Layers.relu())
                .add("pool", Layers.adaptiveAvgPool(1, 1))
                .add("flatten", Layers.flatten())
                .add("dropout", Layers.dropout(0.5));
        ModelOptions o = ModelOptions.defaults().withInput(channels, size, size).withClasses(classes).withHeads(heads);
        return new ConvNet("tiny", o, b, Layers::linear, TorchKeys.of(), Init.torchDefault());
    }
}
