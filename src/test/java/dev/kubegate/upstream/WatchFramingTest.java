package dev.kubegate.upstream;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WatchFramingTest {

    @Test
    void jsonLinesEndAtNewlines() {
        WatchFraming f = WatchFraming.forContentType("application/json;stream=watch");
        assertThat(f.atBoundary()).isTrue();
        assertThat(f.feed(Buffer.buffer("{\"type\":\"ADDED\"}\n{\"ty"), false)).isEqualTo(21);
        assertThat(f.atBoundary()).isFalse();
        // the rest of the open event, then a whole next one: stop right after the first newline
        assertThat(f.feed(Buffer.buffer("pe\":\"MODIFIED\"}\n{\"type\":\"DELETED\"}\n"), true)).isEqualTo(16);
        assertThat(f.atBoundary()).isTrue();
    }

    @Test
    void protobufFramesCountTheirLength() {
        WatchFraming f = WatchFraming.forContentType("application/vnd.kubernetes.protobuf;stream=watch");
        Buffer two = Buffer.buffer().appendInt(3).appendBytes(new byte[]{1, 2, 3}).appendInt(2).appendBytes(new byte[]{'\n', 5});
        // split inside the first length header
        assertThat(f.feed(two.slice(0, 2), true)).isEqualTo(2);
        assertThat(f.atBoundary()).isFalse();
        assertThat(f.feed(two.slice(2, two.length()), true)).isEqualTo(5);
        assertThat(f.atBoundary()).isTrue();
        // a newline inside a protobuf payload is no boundary
        assertThat(f.feed(Buffer.buffer().appendInt(2).appendBytes(new byte[]{'\n', 5}).appendInt(1), true)).isEqualTo(6);
        assertThat(f.atBoundary()).isTrue();
        assertThat(f.feed(Buffer.buffer().appendInt(1), false)).isEqualTo(4);
        assertThat(f.atBoundary()).isFalse();
        assertThat(f.feed(Buffer.buffer(new byte[]{9}), false)).isEqualTo(1);
        assertThat(f.atBoundary()).isTrue();
    }

    @Test
    void unknownTypesCountWholeChunks() {
        WatchFraming f = WatchFraming.forContentType("application/cbor-seq");
        assertThat(f.feed(Buffer.buffer("abc"), true)).isEqualTo(3);
        assertThat(f.atBoundary()).isTrue();
    }
}
