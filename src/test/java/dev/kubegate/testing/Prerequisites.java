package dev.kubegate.testing;

import org.opentest4j.TestAbortedException;

/**
 * The one place a test class may decide not to run. A test that needs a program the machine may lack
 * (PostgreSQL, HAProxy, chromium) or that an operator may switch off ({@code -Dkubegate.it.real-apiserver=false})
 * asks here. Normally a missing prerequisite skips the class with a loud message on stderr; under
 * {@code -Dkubegate.it.require-all=true} or {@code CI=true} (both set by {@code .ci/run}) it fails the
 * build instead, so CI can never pass with a test class silently skipped.
 * {@code PrerequisitesTest} checks that no test skips any other way.
 */
public final class Prerequisites {

    /** The switch {@code .ci/run} sets: every prerequisite must be present, no test may be switched off. */
    public static final String REQUIRE_ALL = "kubegate.it.require-all";

    private Prerequisites() {
    }

    /** True under {@code -Dkubegate.it.require-all=true} or when the environment says {@code CI=true}. */
    public static boolean requireAll() {
        return Boolean.getBoolean(REQUIRE_ALL) || "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Continues when {@code present}; otherwise fails (require-all) or skips the calling test (class,
     * from {@code @BeforeAll}) naming {@code what} is missing and how to get it.
     */
    public static void require(boolean present, String what) {
        check(requireAll(), present, what);
    }

    /**
     * A test family the operator may switch off with {@code -D<property>=false} (it is on unless set
     * to false). Under require-all, switching it off fails instead of skipping.
     */
    public static void unlessSwitchedOff(String property, String what) {
        boolean off = "false".equalsIgnoreCase(System.getProperty(property, "true").strip());
        check(requireAll(), !off, what + " switched off with -D" + property + "=false");
    }

    static void check(boolean requireAll, boolean present, String what) {
        if (present) {
            return;
        }
        if (requireAll) {
            throw new AssertionError("missing test prerequisite: " + what + " (-D" + REQUIRE_ALL
                    + "=true or CI=true: nothing may be skipped; run .ci/run, which installs every program the tests use)");
        }
        String message = "SKIPPED: " + what + " — run .ci/run to install every test program";
        System.err.println("\n*** kubegate tests " + message + " ***\n");
        throw new TestAbortedException(message);
    }
}
