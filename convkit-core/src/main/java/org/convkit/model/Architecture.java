package org.convkit.model;

import java.util.function.Function;

/**
 * One entry of the zoo: a name users type, what it is, the options it is published with, and how
 * to build it.
 *
 * @param name the zoo name ("resnet18")
 * @param description one line for {@code convkit models}
 * @param defaults options as published (torchvision: 1000 classes, 3x224x224; d2l: 10 classes,
 *     1-channel)
 * @param builder builds the network for given options
 */
public record Architecture(
        String name, String description, ModelOptions defaults, Function<ModelOptions, ConvNet> builder) {}
