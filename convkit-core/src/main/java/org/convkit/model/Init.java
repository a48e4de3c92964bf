package org.convkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * Weight initialization as the reference implementations do it, chosen per layer kind by the
 * weight's rank (4-D = conv, 2-D = linear). Biases and BatchNorm keep DJL's zeros/ones, which is
 * what torchvision's families set them to as well (torch's default bias init is a small uniform;
 * its effect on training is negligible).
 */
public final class Init implements Initializer {

    /** How one kind of layer is initialized. */
    public enum Rule {
        /** torch's default, kaiming_uniform(a=sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
        TORCH_DEFAULT,
        /** kaiming_normal(mode="fan_out", relu): N(0, 2/fan_out) — ResNet, VGG convs. */
        KAIMING_NORMAL_FAN_OUT,
        /** N(0, 0.01^2) — VGG's linears. */
        NORMAL_001,
        /** trunc_normal(std=0.01, a=-2, b=2) — GoogLeNet; at this std the truncation never bites. */
        TRUNC_NORMAL_001,
        /** Xavier uniform — d2l's choice for its LeNet/AlexNet/VGG/NiN/GoogLeNet chapters. */
        XAVIER_UNIFORM
    }

    private final Rule conv;
    private final Rule linear;

    public Init(Rule conv, Rule linear) {
        this.conv = conv;
        this.linear = linear;
    }

    public static Init torchDefault() {
        return new Init(Rule.TORCH_DEFAULT, Rule.TORCH_DEFAULT);
    }

    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
        Rule rule = shape.dimension() == 4 ? conv : linear;
        long receptive = 1;
        for (int i = 2; i < shape.dimension(); i++) {
            receptive *= shape.get(i);
        }
        double fanIn = shape.get(1) * receptive;
        double fanOut = shape.get(0) * receptive;
        return switch (rule) {
            case TORCH_DEFAULT -> uniform(manager, shape, dataType, 1 / Math.sqrt(fanIn));
            case KAIMING_NORMAL_FAN_OUT -> manager.randomNormal(
                    0f, (float) Math.sqrt(2 / fanOut), shape, dataType);
            case NORMAL_001, TRUNC_NORMAL_001 -> manager.randomNormal(0f, 0.01f, shape, dataType);
            case XAVIER_UNIFORM -> uniform(manager, shape, dataType, Math.sqrt(6 / (fanIn + fanOut)));
        };
    }

    private static NDArray uniform(NDManager m, Shape shape, DataType dt, double bound) {
        return m.randomUniform((float) -bound, (float) bound, shape, dt);
    }
}
