package dev.kubegate.store.embedded;

import dev.kubegate.store.StateStore;
import dev.kubegate.store.StateStoreContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedStateStoreTest extends StateStoreContract {

    @TempDir
    Path dir;

    private final List<EmbeddedStateStore> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(EmbeddedStateStore::close);
    }

    @Override
    protected StateStore store() {
        return open();
    }

    @Override
    protected int purge(StateStore s) {
        return ((EmbeddedStateStore) s).purgeExpired();
    }

    private EmbeddedStateStore open() {
        try {
            return track(EmbeddedStateStore.open(dir.resolve("state"), clock, Duration.ofHours(1)));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private EmbeddedStateStore track(EmbeddedStateStore s) {
        opened.add(s);
        return s;
    }

    private void reopen(EmbeddedStateStore s) {
        s.close();
        opened.remove(s);
    }

    @Test
    void survivesRestart() {
        EmbeddedStateStore s = open();
        sync(s.create("session", "s1", "{\"v\":1}", null));
        sync(s.update("session", "s1", 1, "{\"v\":2}", T0.plusSeconds(3600)));
        sync(s.create("session", "gone", "{}", null));
        sync(s.delete("session", "gone"));
        sync(s.create("session", "expires", "{}", T0.plusSeconds(5)));
        sync(s.addCounters("session/s1", Map.of("requests", 5L), T0.plusSeconds(3600)));
        reopen(s);

        EmbeddedStateStore again = open();
        StateStore.Document d = sync(again.get("session", "s1")).orElseThrow();
        assertThat(d.version()).isEqualTo(2);
        assertThat(d.json()).isEqualTo("{\"v\":2}");
        assertThat(d.expiresAt()).isEqualTo(T0.plusSeconds(3600));
        assertThat(sync(again.get("session", "gone"))).isEmpty();
        assertThat(sync(again.counters("session/s1"))).isEqualTo(Map.of("requests", 5L));
        // Versions continue where they were: compare-and-set keeps working across restarts.
        assertThat(sync(again.update("session", "s1", 2, "{\"v\":3}", null)).version()).isEqualTo(3);
        reopen(again);

        clock.advance(Duration.ofSeconds(10));
        EmbeddedStateStore third = open();
        assertThat(sync(third.list("session"))).extracting(StateStore.Document::id).containsExactly("s1");
        assertThat(sync(third.get("session", "s1")).orElseThrow().version()).isEqualTo(3);
    }

    @Test
    void survivesCompactionsWhileRunning() throws Exception {
        EmbeddedStateStore s = track(EmbeddedStateStore.open(dir.resolve("state"), clock, Duration.ofHours(1), 512));
        for (int i = 0; i < 40; i++) {
            sync(s.create("approval", "a" + i, "{\"i\":" + i + "}", null));
            if (i % 10 == 9) {
                s.maintain().toCompletableFuture().get();
            }
        }
        sync(s.delete("approval", "a3"));
        s.compact().toCompletableFuture().get();
        sync(s.update("approval", "a4", 1, "{\"i\":\"four\"}", null));
        assertThat(journals()).hasSize(1);
        reopen(s);
        EmbeddedStateStore again = open();
        assertThat(sync(again.list("approval"))).hasSize(39);
        assertThat(sync(again.get("approval", "a4")).orElseThrow().json()).isEqualTo("{\"i\":\"four\"}");
    }

    @Test
    void ignoresATornLastRecord() throws Exception {
        EmbeddedStateStore s = open();
        sync(s.create("session", "s1", "{}", null));
        sync(s.create("session", "s2", "{}", null));
        reopen(s);
        // A crash in the middle of writing the next record: a line without its end, then unwritten space.
        Path journal = journals().get(0);
        byte[] next = JournalCodec.put(new StateStore.Document("session", "s3", 1, "{}", T0, null));
        Files.write(journal, java.util.Arrays.copyOf(next, next.length / 2), StandardOpenOption.APPEND);
        Files.write(journal, new byte[64], StandardOpenOption.APPEND);

        EmbeddedStateStore again = open();
        assertThat(sync(again.list("session"))).extracting(StateStore.Document::id).containsExactlyInAnyOrder("s1", "s2");
        sync(again.create("session", "s3", "{\"after\":true}", null));
        reopen(again);
        assertThat(sync(open().get("session", "s3")).orElseThrow().json()).isEqualTo("{\"after\":true}");
    }

    @Test
    void ignoresALastRecordWithABadChecksum() throws Exception {
        EmbeddedStateStore s = open();
        sync(s.create("session", "s1", "{}", null));
        reopen(s);
        Path journal = journals().get(0);
        byte[] next = JournalCodec.put(new StateStore.Document("session", "s2", 1, "{}", T0, null));
        next[20] ^= 1;
        Files.write(journal, next, StandardOpenOption.APPEND);
        EmbeddedStateStore again = open();
        assertThat(sync(again.list("session"))).extracting(StateStore.Document::id).containsExactly("s1");
    }

    @Test
    void refusesToStartOnDamageBeforeTheEnd() throws Exception {
        EmbeddedStateStore s = open();
        sync(s.create("session", "s1", "{}", null));
        sync(s.create("session", "s2", "{}", null));
        reopen(s);
        Path journal = journals().get(0);
        byte[] bytes = Files.readAllBytes(journal);
        bytes[15] ^= 1;
        Files.write(journal, bytes);
        assertThatThrownBy(() -> EmbeddedStateStore.open(dir.resolve("state"), clock, Duration.ofHours(1)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("is damaged at line 1")
                .hasMessageContaining("restore");
    }

    @Test
    void refusesToStartOnADamagedSnapshot() throws Exception {
        EmbeddedStateStore s = open();
        sync(s.create("session", "s1", "{}", null));
        reopen(s);
        open().close();
        opened.clear();
        Path snapshot = dir.resolve("state/snapshot");
        String text = Files.readString(snapshot, StandardCharsets.UTF_8);
        assertThat(text).contains("\"s1\"");
        Files.writeString(snapshot, text.substring(0, text.length() - 3), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> EmbeddedStateStore.open(dir.resolve("state"), clock, Duration.ofHours(1)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("snapshot is damaged");
    }

    @Test
    void oneProcessPerDirectory() {
        open();
        assertThatThrownBy(() -> EmbeddedStateStore.open(dir.resolve("state"), clock, Duration.ofHours(1)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("in use");
    }

    @Test
    void closedStoreRefusesService() {
        EmbeddedStateStore s = open();
        s.close();
        assertThat(s.available()).isFalse();
        assertThatThrownBy(() -> sync(s.get("session", "x"))).isInstanceOf(dev.kubegate.store.StoreUnavailableException.class);
    }

    private List<Path> journals() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("state"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("journal-")).toList();
        }
    }
}
