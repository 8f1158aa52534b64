package dev.kubegate.config;

/**
 * A byte size written as a Kubernetes quantity: {@code 3Mi}, {@code 512Ki}, {@code 1G}, plain bytes.
 * Binary suffixes ({@code Ki}, {@code Mi}, {@code Gi}) are powers of 1024 and decimal ones
 * ({@code K}, {@code M}, {@code G}) powers of 1000, as in Kubernetes — unlike Quarkus'
 * {@code MemorySize}, where {@code 16M} means MiB; kubegate's keys keep the Kubernetes meaning.
 *
 * <p>A config type: {@link KubegateConfig} declares sizes as {@code ByteSize}, converted once at
 * start-up by {@link Converter} (named on each key: SmallRye's implicit {@code of(String)} converter
 * would drop the message saying what is expected), so a malformed value stops start-up with the
 * key's name and the accepted spellings.
 *
 * @param bytes the size in bytes
 */
public record ByteSize(long bytes) {

    /** Reads a setting: {@code @WithConverter(ByteSize.Converter.class)}. */
    public static final class Converter implements org.eclipse.microprofile.config.spi.Converter<ByteSize> {
        @Override
        public ByteSize convert(String value) {
            return value.isBlank() ? null : of(value);
        }
    }

    public static ByteSize of(String value) {
        return new ByteSize(parse(value));
    }

    /** The number of bytes a quantity stands for. */
    public static long parse(String value) {
        String v = value.strip();
        String[][] units = {{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"K", "1000"}, {"M", "1000000"}, {"G", "1000000000"}};
        for (String[] u : units) {
            if (v.endsWith(u[0])) {
                try {
                    return Math.multiplyExact(Long.parseLong(v.substring(0, v.length() - u[0].length()).strip()), Long.parseLong(u[1]));
                } catch (ArithmeticException | NumberFormatException e) {
                    throw notASize(value);
                }
            }
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw notASize(value);
        }
    }

    private static IllegalArgumentException notASize(String value) {
        return new IllegalArgumentException("not a byte size: '" + value + "' (use e.g. 3Mi, 512Ki or a number of bytes)");
    }
}
