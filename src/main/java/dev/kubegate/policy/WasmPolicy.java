package dev.kubegate.policy;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportMemory;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.MemoryImport;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.ValType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.styra.opa.wasm.OpaPolicy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * One policy module, ready to be instantiated for the pool. How it runs, fastest first:
 * <ul>
 *   <li>{@link Mode#SHARED_COMPILED} (default): Chicory compiles the WASM module to JVM bytecode
 *       once (for the built-in pack, at build time: {@link CompiledCache}); every instance shares
 *       those classes, so a new instance costs milliseconds, the JIT warms one copy, and evaluation
 *       takes OPA's one-call {@code opa_eval} path.</li>
 *   <li>{@link Mode#OPA_JAVA_WASM}: opa-java-wasm's {@link OpaPolicy}, which compiles the module
 *       anew for every instance (~0.3–2 s each) but provides the builtins OPA does not compile into
 *       WASM ({@code sprintf}, {@code json.is_valid}, {@code yaml.*}, ...). Chosen automatically
 *       for bundles that need such builtins.</li>
 *   <li>{@link Mode#INTERPRETED}: Chicory's interpreter; starts fastest, evaluates ~15× slower.
 *       For measurements, and where bytecode cannot be generated at run time.</li>
 * </ul>
 * Thread-safe; the {@link Evaluator}s it makes are not (one thread at a time, as the pool ensures).
 */
final class WasmPolicy {

    enum Mode { SHARED_COMPILED, OPA_JAVA_WASM, INTERPRETED }

    /** One instance of the policy with its data loaded. Not thread-safe. */
    interface Evaluator {
        /** The OPA result set {@code [{"result": ...}]} as UTF-8 JSON. */
        byte[] evaluate(byte[] input);

        /** WASM memory in use, in bytes: the pool retires instances that grew large. */
        long memoryBytes();
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE = 65536;

    /** An instance may grow to this much memory (a 3 MiB object parses to a few tens of MiB). */
    private static final int MAX_PAGES = 2048;
    private static final Set<String> HOST_FUNCTIONS = Set.of("opa_abort", "opa_println",
            "opa_builtin0", "opa_builtin1", "opa_builtin2", "opa_builtin3", "opa_builtin4");

    final Mode mode;
    private final byte[] wasm;
    private final WasmModule module;
    private final Function<Instance, Machine> machines;
    private final MemoryLimits memoryLimits;

    private WasmPolicy(Mode mode, byte[] wasm, WasmModule module, Function<Instance, Machine> machines, MemoryLimits limits) {
        this.mode = mode;
        this.wasm = wasm;
        this.module = module;
        this.machines = machines;
        this.memoryLimits = limits;
    }

    /** Loads a module: parses and validates it, and compiles it unless told otherwise. CPU-heavy. */
    static WasmPolicy load(byte[] wasm, Mode requested) {
        return load(wasm, requested, new CompiledCache());
    }

    /** As {@link #load(byte[], Mode)}, with compiled classes looked up in and stored to {@code cache}. */
    static WasmPolicy load(byte[] wasm, Mode requested, com.dylibso.chicory.compiler.Cache cache) {
        WasmModule module = Parser.parse(wasm);
        MemoryLimits limits = null;
        for (int i = 0; i < module.importSection().importCount(); i++) {
            var imp = module.importSection().getImport(i);
            if (imp instanceof MemoryImport m && imp.module().equals("env") && imp.name().equals("memory")) {
                limits = new MemoryLimits(m.limits().initialPages(), Math.max(m.limits().initialPages(), MAX_PAGES));
            } else if (imp.importType() != ExternalType.FUNCTION || !imp.module().equals("env") || !HOST_FUNCTIONS.contains(imp.name())) {
                throw new IllegalArgumentException("not an OPA policy module: unexpected import " + imp.module() + "." + imp.name());
            }
        }
        if (limits == null) {
            throw new IllegalArgumentException("not an OPA policy module: it imports no env.memory");
        }
        WasmPolicy interpreted = new WasmPolicy(Mode.INTERPRETED, wasm, module, null, limits);
        if (requested == Mode.INTERPRETED) {
            return interpreted;
        }
        // Builtins OPA leaves to the host: ours has none, opa-java-wasm has the common ones.
        if (!interpreted.hostBuiltins().isEmpty() || requested == Mode.OPA_JAVA_WASM) {
            return new WasmPolicy(Mode.OPA_JAVA_WASM, wasm, module, null, limits);
        }
        // Read at call time (not in a static field, which a native build may initialize at build time):
        // "runtime" inside a native executable, what ImageInfo.inImageRuntimeCode() reads.
        if ("runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"))) {
            // A native image cannot define classes at run time: Chicory's interpreter evaluates there.
            return interpreted;
        }
        Function<Instance, Machine> compiled = MachineFactoryCompiler.builder(module)
                .withInterpreterFallback(InterpreterFallback.SILENT) // functions too big for one JVM method
                .withCache(cache) // the built-in pack's classes were generated by the build
                .compile();
        return new WasmPolicy(Mode.SHARED_COMPILED, wasm, module, compiled, limits);
    }

    /** Names of the builtins the module expects the host to provide. */
    List<String> hostBuiltins() {
        Chicory probe = new Chicory(this);
        List<String> names = new ArrayList<>();
        probe.readJson(probe.call("builtins")[0]).fieldNames().forEachRemaining(names::add);
        return Collections.unmodifiableList(names);
    }

    /** A new instance with {@code data} (a JSON object) loaded. Milliseconds when compiled once. */
    Evaluator newEvaluator(byte[] data) {
        if (mode == Mode.OPA_JAVA_WASM) {
            OpaPolicy p = OpaPolicy.builder().withPolicy(wasm).build();
            p.entrypoint(PolicyBundle.ENTRYPOINT);
            p.data(new String(data, StandardCharsets.UTF_8));
            return new Evaluator() {
                @Override
                public byte[] evaluate(byte[] input) {
                    return p.evaluate(new String(input, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                }

                @Override
                public long memoryBytes() {
                    return 0; // not visible through OpaPolicy
                }
            };
        }
        Chicory c = new Chicory(this);
        c.load(data);
        return c;
    }

    /** An instance driven through the OPA WASM ABI directly (1.2+: opa_eval in one call). */
    private static final class Chicory implements Evaluator {
        private final Memory memory;
        private final Instance instance;
        private final ExportFunction opaEval;
        private int entrypoint = -1;
        private int dataAddr;
        private int heapAfterData;

        Chicory(WasmPolicy policy) {
            memory = new ByteArrayMemory(policy.memoryLimits);
            List<ImportFunction> host = new ArrayList<>();
            host.add(new HostFunction("env", "opa_abort", FunctionType.of(List.of(ValType.I32), List.of()),
                    (inst, args) -> {
                        throw new IllegalStateException("policy aborted: " + inst.memory().readCString((int) args[0]));
                    }));
            host.add(new HostFunction("env", "opa_println", FunctionType.of(List.of(ValType.I32), List.of()),
                    (inst, args) -> null));
            for (int n = 0; n <= 4; n++) {
                List<ValType> params = new ArrayList<>(Collections.nCopies(n + 2, ValType.I32));
                int arity = n;
                host.add(new HostFunction("env", "opa_builtin" + n, FunctionType.of(params, List.of(ValType.I32)),
                        (inst, args) -> {
                            throw new IllegalStateException("policy called host builtin #" + args[0] + " (arity " + arity + "), which kubegate does not provide");
                        }));
            }
            Instance.Builder b = Instance.builder(policy.module)
                    .withImportValues(ImportValues.builder().withFunctions(host)
                            .addMemory(new ImportMemory("env", "memory", memory)).build());
            if (policy.machines != null) {
                b.withMachineFactory(policy.machines);
            }
            instance = b.build();
            long major = instance.exports().global("opa_wasm_abi_version").getValue();
            long minor = instance.exports().global("opa_wasm_abi_minor_version").getValue();
            if (major != 1 || minor < 2) {
                throw new IllegalArgumentException("OPA WASM ABI " + major + "." + minor + " is not supported; build with OPA 0.37 or later");
            }
            opaEval = instance.export("opa_eval");
        }

        long[] call(String export, long... args) {
            return instance.export(export).apply(args);
        }

        JsonNode readJson(long valueAddr) {
            long str = call("opa_json_dump", valueAddr)[0];
            try {
                return JSON.readTree(cString((int) str));
            } catch (java.io.IOException e) {
                throw new IllegalStateException("policy module returned invalid JSON", e);
            }
        }

        void load(byte[] data) {
            JsonNode eps = readJson(call("entrypoints")[0]);
            JsonNode id = eps.get(PolicyBundle.ENTRYPOINT);
            if (id == null || !id.isInt()) {
                throw new IllegalArgumentException("the module has no entrypoint " + PolicyBundle.ENTRYPOINT + " (it has " + eps + ")");
            }
            entrypoint = id.intValue();
            int addr = (int) call("opa_malloc", data.length)[0];
            memory.write(addr, data);
            dataAddr = (int) call("opa_json_parse", addr, data.length)[0];
            if (dataAddr == 0) {
                throw new IllegalArgumentException("the policy data is not valid JSON");
            }
            call("opa_free", addr);
            heapAfterData = (int) call("opa_heap_ptr_get")[0];
        }

        @Override
        public byte[] evaluate(byte[] input) {
            // The input goes right after the data; opa_eval's heap starts after the input and is
            // reset on every call, so nothing accumulates between evaluations.
            int inputAddr = heapAfterData;
            long missing = (long) inputAddr + input.length - (long) memory.pages() * PAGE;
            if (missing > 0 && memory.grow((int) ((missing + PAGE - 1) / PAGE)) < 0) {
                throw new IllegalStateException("policy input of " + input.length + " bytes exceeds the policy memory limit");
            }
            memory.write(inputAddr, input);
            long result = opaEval.apply(0, entrypoint, dataAddr, inputAddr, input.length, inputAddr + input.length, 0)[0];
            if (result == 0) {
                throw new IllegalStateException("opa_eval failed (input not valid JSON?)");
            }
            return cBytes((int) result);
        }

        @Override
        public long memoryBytes() {
            return (long) memory.pages() * PAGE;
        }

        /** A NUL-terminated string, read in chunks: byte-at-a-time reads dominate for long results. */
        private byte[] cBytes(int addr) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
            int limit = memory.pages() * PAGE;
            for (int at = addr; at < limit; ) {
                int n = Math.min(1024, limit - at);
                byte[] chunk = memory.readBytes(at, n);
                for (int i = 0; i < n; i++) {
                    if (chunk[i] == 0) {
                        out.write(chunk, 0, i);
                        return out.toByteArray();
                    }
                }
                out.write(chunk, 0, n);
                at += n;
            }
            throw new IllegalStateException("unterminated string in policy memory");
        }

        private String cString(int addr) {
            return new String(cBytes(addr), StandardCharsets.UTF_8);
        }
    }
}
