package dev.kubegate.gateway;

/** Kubernetes-style quantities for byte sizes: {@code 3Mi}, {@code 512Ki}, {@code 1G}, plain bytes. */
public final class ByteSize {

    private ByteSize() {
    }

    public static long parse(String value) {
        String v = value.strip();
        String[][] units = {{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"K", "1000"}, {"M", "1000000"}, {"G", "1000000000"}};
        for (String[] u : units) {
            if (v.endsWith(u[0])) {
                return Math.multiplyExact(Long.parseLong(v.substring(0, v.length() - u[0].length()).strip()), Long.parseLong(u[1]));
            }
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a byte size: '" + value + "' (use e.g. 3Mi, 512Ki or a number of bytes)");
        }
    }
}
