package org.convkit.cli;

import org.convkit.transfer.FineTuneOptions;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where a pretrained backbone comes from and how it is fitted to the data: {@code finetune}, {@code lr-find}. */
public final class FinetuneArgs {
    // --weights as well: the name eval, predict and export give a weights file
    @Option(names = {"--from", "--weights"}, paramLabel = "CHECKPOINT|WEIGHTS",
            description = "The pretrained network: a convkit run folder or checkpoint (its model and options are"
                    + " used unless given), or a PyTorch state dict (.pth/.pt of any PyTorch version, .safetensors;"
                    + " reference key names, or lined up by position, or --key-map; needs --model). Its classifier is"
                    + " replaced for the data's classes.")
    public String from;

    @Mixin
    public KeyMapArgs keyMap;

    @Option(names = "--unfreeze", paramLabel = "WHICH",
            description = "Backbone stages that train after the frozen epochs: all, none, last:N (the last N stages"
                    + " with parameters) or stage names, e.g. layer3,layer4 (default: all).")
    public String unfreeze;

    @Option(names = "--adapt-channels",
            description = "Weights for 3 channels on gray data (or the reverse): adapt the first convolution (sum of"
                    + " the RGB filters, as timm; or the gray filter repeated / 3) instead of refusing.")
    public Boolean adaptChannels;

    /** The fine-tuning options given on {@code spec}'s command line. */
    static FineTuneOptions given(CommandLine.Model.CommandSpec spec) {
        return FineTuneOptions.fromMap(TrainArgs.given(spec, FineTuneOptions.keys()));
    }
}
