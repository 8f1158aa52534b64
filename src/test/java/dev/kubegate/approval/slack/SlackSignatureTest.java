package dev.kubegate.approval.slack;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SlackSignatureTest {

    /** The worked example of Slack's "Verifying requests from Slack" guide. */
    static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    static final String TIMESTAMP = "1531420618";
    static final byte[] BODY = ("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
            + "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
            + "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
            + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c").getBytes(StandardCharsets.UTF_8);
    static final String EXPECTED = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    static final Instant SIGNED = Instant.ofEpochSecond(1531420618);

    final SlackSignature sig = new SlackSignature(SECRET.getBytes(StandardCharsets.UTF_8));

    @Test
    void signsAsSlacksGuideShows() throws Exception {
        assertThat(sig.sign(TIMESTAMP, BODY)).isEqualTo(EXPECTED);
        assertThat(sig.verify(TIMESTAMP, EXPECTED, BODY, SIGNED.plusSeconds(299))).isEqualTo(SIGNED);
        assertThat(sig.verify(TIMESTAMP, EXPECTED, BODY, SIGNED.minusSeconds(299))).isEqualTo(SIGNED);
    }

    @Test
    void refusesAnyOtherBodyTimestampOrSecret() {
        byte[] changed = BODY.clone();
        changed[changed.length - 1] ^= 1;
        assertThatThrownBy(() -> sig.verify(TIMESTAMP, EXPECTED, changed, SIGNED))
                .isInstanceOf(SlackSignature.Refused.class).hasMessageContaining("does not verify");
        assertThatThrownBy(() -> sig.verify("1531420619", EXPECTED, BODY, SIGNED)).hasMessageContaining("does not verify");
        assertThatThrownBy(() -> new SlackSignature("another".getBytes(StandardCharsets.UTF_8)).verify(TIMESTAMP, EXPECTED, BODY, SIGNED))
                .hasMessageContaining("does not verify");
        assertThatThrownBy(() -> sig.verify(TIMESTAMP, EXPECTED.replace("v0=", "v1="), BODY, SIGNED)).hasMessageContaining("does not verify");
        assertThatThrownBy(() -> sig.verify(TIMESTAMP, null, BODY, SIGNED)).hasMessageContaining("not signed");
        assertThatThrownBy(() -> sig.verify("soon", EXPECTED, BODY, SIGNED)).hasMessageContaining("not a number");
    }

    @Test
    void refusesAStaleOrFutureTimestampEvenWhenSigned() {
        assertThatThrownBy(() -> sig.verify(TIMESTAMP, EXPECTED, BODY, SIGNED.plusSeconds(301)))
                .isInstanceOf(SlackSignature.Refused.class).hasMessageContaining("stale");
        assertThatThrownBy(() -> sig.verify(TIMESTAMP, EXPECTED, BODY, SIGNED.minusSeconds(301))).hasMessageContaining("stale");
    }

    @Test
    void anEmptySecretIsAConfigurationError() {
        assertThatThrownBy(() -> new SlackSignature(new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
