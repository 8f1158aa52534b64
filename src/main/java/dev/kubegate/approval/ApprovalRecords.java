package dev.kubegate.approval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.kubegate.store.StateStore;
import io.smallrye.mutiny.Uni;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Approval requests in the {@link StateStore}: documents of kind {@value #KIND} (the request) and
 * {@value #INDEX_KIND} (which request covers a call: id = SHA-256 of scope and call digest, so
 * identical calls of one session find the same request on every replica, and two replicas creating
 * it at once collide on the index, not on two requests).
 */
public final class ApprovalRecords {

    public static final String KIND = "approval";
    public static final String INDEX_KIND = "approval-index";
    /** The full diff of a request whose {@code changes} are cut (same id as the request). */
    public static final String DIFF_KIND = "approval-diff";

    /** Past this size a stored full diff has its longest values cut (marked): objects are at most a few MiB. */
    static final int MAX_DIFF_CHARS = 8 << 20;
    static final int DIFF_VALUE_FALLBACK = 64 << 10;

    /** The stored full diff. */
    public record FullDiff(List<ObjectDiff.Entry> entries) {
        public FullDiff {
            entries = entries == null ? List.of() : List.copyOf(entries);
        }
    }

    /** A request with the store version it was read at (for compare-and-set). */
    public record Versioned(ApprovalRequest request, long version) {
    }

    /** The index document: the request currently covering a call. */
    public record IndexEntry(String approvalId) {
    }

    static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private final StateStore store;
    private final Duration retention;

    public ApprovalRecords(StateStore store, Duration retention) {
        this.store = store;
        this.retention = retention;
    }

    public StateStore store() {
        return store;
    }

    public Uni<Optional<Versioned>> get(String id) {
        return store.get(KIND, id).map(d -> d.map(ApprovalRecords::read));
    }

    public Uni<List<Versioned>> list() {
        return store.list(KIND).map(docs -> docs.stream().map(ApprovalRecords::read).toList());
    }

    public Uni<Versioned> create(ApprovalRequest r) {
        return store.create(KIND, r.id(), write(r), keepUntil(r)).map(d -> new Versioned(r, d.version()));
    }

    public Uni<Versioned> update(Versioned current, ApprovalRequest next) {
        return store.update(KIND, next.id(), current.version(), write(next), keepUntil(next))
                .map(d -> new Versioned(next, d.version()));
    }

    /** Stores the full diff of request {@code id} until {@code keepUntil}. */
    public Uni<StateStore.Document> createDiff(String id, List<ObjectDiff.Entry> entries, Instant keepUntil) {
        return store.create(DIFF_KIND, id, writeDiff(entries), keepUntil);
    }

    /** The full diff stored for request {@code id}, if any. */
    public Uni<Optional<FullDiff>> diff(String id) {
        return store.get(DIFF_KIND, id).map(d -> d.map(doc -> {
            try {
                return JSON.readValue(doc.json(), FullDiff.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("unreadable approval diff " + id + ": " + e.getOriginalMessage());
            }
        }));
    }

    static String writeDiff(List<ObjectDiff.Entry> entries) {
        try {
            String json = JSON.writeValueAsString(new FullDiff(entries));
            if (json.length() > MAX_DIFF_CHARS) {
                json = JSON.writeValueAsString(new FullDiff(entries.stream().map(e -> new ObjectDiff.Entry(e.op(), e.path(),
                        ObjectDiff.cut(e.old(), DIFF_VALUE_FALLBACK), ObjectDiff.cut(e.value(), DIFF_VALUE_FALLBACK))).toList()));
            }
            return json;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The request id covering {@code indexId}, with the index version, if any. */
    public Uni<Optional<StateStore.Document>> index(String indexId) {
        return store.get(INDEX_KIND, indexId);
    }

    public Uni<StateStore.Document> createIndex(String indexId, ApprovalRequest r) {
        return store.create(INDEX_KIND, indexId, writeIndex(r.id()), keepUntil(r));
    }

    public Uni<StateStore.Document> replaceIndex(StateStore.Document current, ApprovalRequest r) {
        return store.update(INDEX_KIND, current.id(), current.version(), writeIndex(r.id()), keepUntil(r));
    }

    public static String indexedId(StateStore.Document index) {
        try {
            return JSON.readValue(index.json(), IndexEntry.class).approvalId();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable approval index " + index.id() + ": " + e.getOriginalMessage());
        }
    }

    /** Stored documents outlive the request's end by the retention, so decided requests stay reviewable. */
    Instant keepUntil(ApprovalRequest r) {
        Instant end = r.decideBy();
        if (r.grantUntil() != null && r.grantUntil().isAfter(end)) {
            end = r.grantUntil();
        }
        return end.plus(retention);
    }

    static Versioned read(StateStore.Document d) {
        try {
            return new Versioned(JSON.readValue(d.json(), ApprovalRequest.class), d.version());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable approval document " + d.id() + ": " + e.getOriginalMessage());
        }
    }

    static String write(ApprovalRequest r) {
        try {
            return JSON.writeValueAsString(r);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String writeIndex(String id) {
        try {
            return JSON.writeValueAsString(new IndexEntry(id));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
