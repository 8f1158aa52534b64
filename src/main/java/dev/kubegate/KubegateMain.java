package dev.kubegate;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

@QuarkusMain
public class KubegateMain {
    public static void main(String... args) {
        Quarkus.run(args);
    }
}
