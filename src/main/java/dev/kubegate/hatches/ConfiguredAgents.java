package dev.kubegate.hatches;

import dev.kubegate.config.KubegateConfig;
import dev.kubegate.identity.TokenFile;
import dev.kubegate.identity.mapping.IdentityMappings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The agents of the running configuration: {@code kubegate.identity.mappings} and the static tokens file. */
public final class ConfiguredAgents {

    private ConfiguredAgents() {
    }

    /** Reads both files now: blocking, call off the event loop. Fails when a configured file is unreadable. */
    public static List<AgentSubject> load(KubegateConfig config) {
        Optional<IdentityMappings> mappings = config.identity().mappings().map(ConfiguredAgents::mappings);
        Optional<TokenFile> tokens = config.identity().staticTokens().tokensFile().map(ConfiguredAgents::tokens);
        return AgentSubjects.of(mappings, tokens, config.upstream().impersonate());
    }

    private static IdentityMappings mappings(Path file) {
        try {
            return IdentityMappings.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kubegate.identity.mappings " + file, e);
        }
    }

    private static TokenFile tokens(Path file) {
        try {
            return TokenFile.load(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kubegate.identity.static.tokens-file " + file, e);
        }
    }
}
