package org.convkit.data;

/**
 * A sample left out, and why: sources record what they reject when they are opened, the {@link
 * org.convkit.data.load.Loader} what fails to read or decode. The trainer writes them all to {@code
 * runs/<name>/skipped.csv} so nothing is dropped silently.
 *
 * @param split "train", "valid", "test" or "predict"
 * @param id the sample id (see {@link Sample#id()}), or the file name when no id could be made
 * @param file where it came from (a path, "shard-00003.shard@1234", see {@link
 *     ImageSource#location}), for the user to look at
 * @param reason what is wrong, in words ("empty file (0 bytes)", "CRC mismatch")
 */
public record Skipped(String split, String id, String file, String reason) implements java.io.Serializable {}
