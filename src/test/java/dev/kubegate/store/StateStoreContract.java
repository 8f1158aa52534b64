package dev.kubegate.store;

import dev.kubegate.store.StateStore.Change;
import dev.kubegate.store.StateStore.Document;
import dev.kubegate.testing.MutableClock;
import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What every {@link StateStore} must do, run against each implementation by a subclass that
 * provides {@link #store()} built on {@link #clock}.
 */
public abstract class StateStoreContract {

    protected static final Instant T0 = Instant.parse("2026-11-26T08:00:00Z");
    protected final MutableClock clock = new MutableClock(T0);

    /** The store under test, fresh (empty) for each test, using {@link #clock}. */
    protected abstract StateStore store();

    protected static <T> T sync(Uni<T> uni) {
        return uni.await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void createsGetsAndLists() {
        StateStore s = store();
        Document d = sync(s.create("session", "s1", "{\"a\":1}", null));
        assertThat(d.version()).isEqualTo(1);
        assertThat(d.updatedAt()).isEqualTo(T0);
        sync(s.create("session", "s2", "{\"a\":2}", T0.plusSeconds(60)));
        sync(s.create("suspension", "s1", "{}", null));

        Optional<Document> got = sync(s.get("session", "s1"));
        assertThat(got).isPresent();
        assertThat(got.get().json()).isEqualTo("{\"a\":1}");
        assertThat(got.get().version()).isEqualTo(1);
        assertThat(got.get().expiresAt()).isNull();
        assertThat(sync(s.get("session", "s2")).orElseThrow().expiresAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(sync(s.get("session", "nope"))).isEmpty();
        assertThat(sync(s.list("session"))).extracting(Document::id).containsExactlyInAnyOrder("s1", "s2");
        assertThat(sync(s.list("suspension"))).extracting(Document::id).containsExactly("s1");
        assertThat(sync(s.list("approval"))).isEmpty();
    }

    @Test
    void createOfAnExistingIdConflicts() {
        StateStore s = store();
        sync(s.create("session", "s1", "{}", null));
        assertThatThrownBy(() -> sync(s.create("session", "s1", "{\"b\":1}", null))).isInstanceOf(StoreConflictException.class);
        assertThat(sync(s.get("session", "s1")).orElseThrow().json()).isEqualTo("{}");
    }

    @Test
    void updateIsCompareAndSet() {
        StateStore s = store();
        sync(s.create("session", "s1", "{\"v\":1}", null));
        clock.advance(Duration.ofSeconds(5));
        Document v2 = sync(s.update("session", "s1", 1, "{\"v\":2}", T0.plusSeconds(600)));
        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.updatedAt()).isEqualTo(T0.plusSeconds(5));
        assertThatThrownBy(() -> sync(s.update("session", "s1", 1, "{\"v\":3}", null))).isInstanceOf(StoreConflictException.class);
        assertThatThrownBy(() -> sync(s.update("session", "s1", 3, "{\"v\":3}", null))).isInstanceOf(StoreConflictException.class);
        assertThatThrownBy(() -> sync(s.update("session", "missing", 1, "{}", null))).isInstanceOf(StoreConflictException.class);
        Document now = sync(s.get("session", "s1")).orElseThrow();
        assertThat(now.version()).isEqualTo(2);
        assertThat(now.json()).isEqualTo("{\"v\":2}");
        assertThat(now.expiresAt()).isEqualTo(T0.plusSeconds(600));
    }

    @Test
    void concurrentReadModifyWriteLosesNoUpdate() {
        StateStore s = store();
        sync(s.create("counter", "c", "0", null));
        int writers = 8;
        int each = 5;
        List<Uni<Void>> all = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            all.add(increment(s, each));
        }
        Uni.join().all(all).andFailFast().await().atMost(Duration.ofSeconds(60));
        Document d = sync(s.get("counter", "c")).orElseThrow();
        assertThat(d.json()).isEqualTo(Integer.toString(writers * each));
        assertThat(d.version()).isEqualTo(1 + writers * each);
    }

    private static Uni<Void> increment(StateStore s, int times) {
        if (times == 0) {
            return Uni.createFrom().voidItem();
        }
        Uni<Document> once = Uni.createFrom().deferred(() -> s.get("counter", "c")
                .map(Optional::orElseThrow)
                .flatMap(d -> s.update("counter", "c", d.version(), Long.toString(Long.parseLong(d.json()) + 1), null)))
                .onFailure(StoreConflictException.class).retry().atMost(1000);
        return once.flatMap(d -> increment(s, times - 1));
    }

    @Test
    void deleteRemoves() {
        StateStore s = store();
        sync(s.create("session", "s1", "{}", null));
        sync(s.update("session", "s1", 1, "{}", null));
        assertThat(sync(s.delete("session", "s1"))).isTrue();
        assertThat(sync(s.delete("session", "s1"))).isFalse();
        assertThat(sync(s.get("session", "s1"))).isEmpty();
        assertThat(sync(s.list("session"))).isEmpty();
        assertThat(sync(s.create("session", "s1", "{\"again\":true}", null)).version()).isEqualTo(1);
    }

    @Test
    void expiredDocumentsAreInvisible() {
        StateStore s = store();
        sync(s.create("session", "short", "{}", T0.plusSeconds(10)));
        sync(s.create("session", "long", "{}", T0.plusSeconds(100)));
        clock.advance(Duration.ofSeconds(10));
        assertThat(sync(s.get("session", "short"))).isEmpty();
        assertThat(sync(s.list("session"))).extracting(Document::id).containsExactly("long");
        assertThatThrownBy(() -> sync(s.update("session", "short", 1, "{}", null))).isInstanceOf(StoreConflictException.class);
        assertThat(sync(s.delete("session", "short"))).isFalse();
        sync(s.create("session", "long2", "{}", T0.plusSeconds(30)));
        // An expired id can be taken again.
        sync(s.create("session", "short", "{\"new\":1}", null));
        assertThat(sync(s.get("session", "short")).orElseThrow().version()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(25));
        assertThat(purge(s)).isGreaterThanOrEqualTo(1);
        assertThat(sync(s.list("session"))).extracting(Document::id).containsExactlyInAnyOrder("short", "long");
    }

    /** Runs the implementation's purge; answers how many entries went. */
    protected abstract int purge(StateStore s);

    @Test
    void countersAddUpAndExpire() {
        StateStore s = store();
        assertThat(sync(s.counters("session/s1"))).isEmpty();
        assertThat(sync(s.addCounters("session/s1", Map.of("requests", 1L, "mutations", 1L), T0.plusSeconds(60))))
                .isEqualTo(Map.of("requests", 1L, "mutations", 1L));
        assertThat(sync(s.addCounters("session/s1", Map.of("requests", 2L, "denied", 1L), T0.plusSeconds(30))))
                .isEqualTo(Map.of("requests", 3L, "mutations", 1L, "denied", 1L));
        assertThat(sync(s.counters("session/s1"))).isEqualTo(Map.of("requests", 3L, "mutations", 1L, "denied", 1L));
        assertThat(sync(s.counters("session/s2"))).isEmpty();
        // The earlier (later-expiring) deadline holds.
        clock.advance(Duration.ofSeconds(45));
        assertThat(sync(s.counters("session/s1"))).containsEntry("requests", 3L);
        assertThat(sync(s.addCounters("session/s1", Map.of("requests", 1L), T0.plusSeconds(120)))).containsEntry("requests", 4L);
        clock.advance(Duration.ofSeconds(80));
        assertThat(sync(s.counters("session/s1"))).isEmpty();
        // After expiry the key starts from zero.
        assertThat(sync(s.addCounters("session/s1", Map.of("requests", 1L), null))).isEqualTo(Map.of("requests", 1L));
    }

    @Test
    void countersAreAtomicUnderConcurrency() {
        StateStore s = store();
        List<Uni<Map<String, Long>>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(s.addCounters("k", Map.of("n", 1L), null));
        }
        Uni.join().all(all).andFailFast().await().atMost(Duration.ofSeconds(30));
        assertThat(sync(s.counters("k"))).isEqualTo(Map.of("n", 50L));
    }

    @Test
    void changeFeedDeliversEveryChange() throws Exception {
        StateStore s = store();
        List<Change> seen = new CopyOnWriteArrayList<>();
        AutoCloseable handle = s.subscribe(seen::add);
        sync(s.create("revocation", "r1", "{}", null));
        sync(s.update("revocation", "r1", 1, "{\"x\":1}", null));
        sync(s.delete("revocation", "r1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() >= 3);
        assertThat(seen).containsExactly(new Change("revocation", "r1", 1), new Change("revocation", "r1", 2),
                new Change("revocation", "r1", 0));
        assertThat(seen.get(2).deleted()).isTrue();
        assertThat(seen).noneMatch(Change::resync);

        handle.close();
        AtomicInteger after = new AtomicInteger();
        AutoCloseable other = s.subscribe(c -> after.incrementAndGet());
        sync(s.create("revocation", "r2", "{}", null));
        await().atMost(Duration.ofSeconds(5)).until(() -> after.get() == 1);
        Thread.sleep(200);
        assertThat(seen).hasSize(3);
        other.close();
    }

    @Test
    void failedOperationsAreNotAnnounced() throws Exception {
        StateStore s = store();
        List<Change> seen = new CopyOnWriteArrayList<>();
        try (AutoCloseable h = s.subscribe(seen::add)) {
            sync(s.create("session", "s1", "{}", null));
            await().atMost(Duration.ofSeconds(5)).until(() -> !seen.isEmpty());
            seen.clear();
            assertThatThrownBy(() -> sync(s.create("session", "s1", "{}", null))).isInstanceOf(StoreConflictException.class);
            assertThatThrownBy(() -> sync(s.update("session", "s1", 7, "{}", null))).isInstanceOf(StoreConflictException.class);
            sync(s.create("session", "marker", "{}", null));
            await().atMost(Duration.ofSeconds(5)).until(() -> !seen.isEmpty());
            Thread.sleep(100);
            assertThat(seen).containsExactly(new Change("session", "marker", 1));
        }
    }

    @Test
    void operationsRunWhenSubscribed() {
        StateStore s = store();
        Uni<Document> pending = s.create("session", "lazy", "{}", null);
        assertThat(sync(s.get("session", "lazy"))).isEmpty();
        sync(pending);
        assertThat(sync(s.get("session", "lazy"))).isPresent();
    }

    @Test
    void refusesKeysItCannotCarry() {
        StateStore s = store();
        assertThatThrownBy(() -> sync(s.create("session", "", "{}", null))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sync(s.create("session", "x".repeat(StateStore.MAX_ID_BYTES + 1), "{}", null)))
                .isInstanceOf(IllegalArgumentException.class);
        String longest = "é".repeat(StateStore.MAX_ID_BYTES / 2);
        assertThat(sync(s.create("session", longest, "{\"unicode\":\"✓\"}", null)).version()).isEqualTo(1);
        assertThat(sync(s.get("session", longest)).orElseThrow().json()).isEqualTo("{\"unicode\":\"✓\"}");
    }

    @Test
    void storesJsonVerbatim() {
        StateStore s = store();
        String json = "{\"z\":1,\"a\":[1,2,{\"k\":\"line\\nbreak \\\"quoted\\\"\"}],  \"m\":null}";
        sync(s.create("approval", "a/b:c", json, null));
        assertThat(sync(s.get("approval", "a/b:c")).orElseThrow().json()).isEqualTo(json);
        assertThat(s.available()).isTrue();
        assertThat(s.describe()).isNotBlank();
    }
}
