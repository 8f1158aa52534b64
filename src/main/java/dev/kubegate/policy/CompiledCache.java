package dev.kubegate.policy;

import com.dylibso.chicory.compiler.Cache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JVM bytecode Chicory generates for a WASM module, by module hash. The build compiles the
 * built-in pack once ({@link #main}) and packages the classes under {@value #RESOURCE_DIR}: at run
 * time the compiler finds them here and skips code generation (~1 s at start-up). Other modules
 * (external bundles) miss and are compiled at load, as before.
 */
public final class CompiledCache implements Cache {

    static final String RESOURCE_DIR = "/policy/chicory/";

    private final Path writeTo;

    /** Reads the packaged classes. */
    CompiledCache() {
        this(null);
    }

    private CompiledCache(Path writeTo) {
        this.writeTo = writeTo;
    }

    @Override
    public byte[] get(String key) throws IOException {
        try (InputStream in = CompiledCache.class.getResourceAsStream(RESOURCE_DIR + fileName(key))) {
            return in == null ? null : in.readAllBytes();
        }
    }

    @Override
    public void putIfAbsent(String key, byte[] classes) throws IOException {
        if (writeTo != null) {
            Files.write(writeTo.resolve(fileName(key)), classes);
        }
    }

    /** Keys look like "sha-256:base64": keep them file-name safe. */
    private static String fileName(String key) {
        return key.replaceAll("[^A-Za-z0-9_-]", "_") + ".jar";
    }

    /**
     * Build step (process-classes): {@code <bundle.tar.gz> <output dir>} compiles the bundle's
     * module and writes its classes into the output directory, replacing what was there.
     */
    public static void main(String[] args) throws IOException {
        PolicyBundle bundle = PolicyBundle.parse(Files.readAllBytes(Path.of(args[0])), args[0]);
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        try (var old = Files.list(out)) {
            for (Path p : old.toList()) {
                Files.delete(p);
            }
        }
        WasmPolicy.load(bundle.wasm(), WasmPolicy.Mode.SHARED_COMPILED, new CompiledCache(out));
    }
}
