package org.convkit.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.function.UnaryOperator;
import org.convkit.core.ConvkitException;

/**
 * Parameterless element-wise activations as blocks. Unlike DJL's LambdaBlock they report their
 * output shape without running the function on a zero tensor, which keeps shape inference over a
 * whole network (summary, minimum input size) free of native work.
 */
public final class Activations {
    private Activations() {}

    public static Block relu() {
        return new Elementwise("ReLU", Activation::relu);
    }

    public static Block sigmoid() {
        return new Elementwise("Sigmoid", Activation::sigmoid);
    }

    /** {@code relu} or {@code sigmoid}, as named by {@code --activation}. */
    public static Block byName(String name) {
        return switch (name == null ? "relu" : name) {
            case "relu" -> relu();
            case "sigmoid" -> sigmoid();
            default -> throw new ConvkitException(
                    "--activation " + name + ": expected relu or sigmoid");
        };
    }

    /** An element-wise function: output shape = input shape. */
    public static final class Elementwise extends AbstractBlock {
        private final String name;
        private final UnaryOperator<NDArray> f;

        Elementwise(String name, UnaryOperator<NDArray> f) {
            this.name = name;
            this.f = f;
        }

        public String name() {
            return name;
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
            return new NDList(f.apply(in.singletonOrThrow()));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputs) {
            return inputs;
        }

        @Override
        public String toString() {
            return name + "()";
        }
    }
}
