package dev.kubegate.identity;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenFileTest {

    @Test
    void readsTheApiServerFormatWithQuotedGroups() {
        TokenFile f = TokenFile.parse("""
                # agents
                tok-a,alice,uid-a,"agents,ci"
                tok-b,bob,uid-b
                tok-c,carol,,"",ignored-extra-column
                """, "tokens.csv");
        assertThat(f.size()).isEqualTo(3);
        assertThat(f.lookup("tok-a")).contains(new TokenFile.Entry("alice", "uid-a", List.of("agents", "ci")));
        assertThat(f.lookup("tok-b")).contains(new TokenFile.Entry("bob", "uid-b", List.of()));
        assertThat(f.lookup("tok-c")).contains(new TokenFile.Entry("carol", "", List.of()));
        assertThat(f.lookup("tok-x")).isEmpty();
        assertThat(f.lookup("")).isEmpty();
    }

    @Test
    void refusesMalformedRowsWithTheLineNumber() {
        assertThatThrownBy(() -> TokenFile.parse("tok,alice", "t.csv")).hasMessageContaining("t.csv:1");
        assertThatThrownBy(() -> TokenFile.parse("\n,alice,u", "t.csv")).hasMessageContaining("t.csv:2");
        assertThatThrownBy(() -> TokenFile.parse("t,alice,u,\"agents", "t.csv")).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> TokenFile.parse("t,a,u\nt,b,u", "t.csv")).hasMessageContaining("duplicate");
    }

    @Test
    void staticAgentTokensWithSystemGroupsAreRefused() {
        TokenFile f = TokenFile.parse("tok-a,alice,uid-a,\"agents\"\ntok-m,mallory,uid-m,\"agents,system:masters\"", "t.csv");
        assertThat(f.entries()).extracting(TokenFile.Entry::name).containsExactlyInAnyOrder("alice", "mallory");
        assertThatThrownBy(() -> new StaticTokenAuthenticator(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("static agent token of 'mallory': group 'system:masters' is in the API server's reserved 'system:' namespace");
    }

    @Test
    void staticAuthenticatorMapsTokensToPrincipals() {
        var auth = new AuthenticatorChain(List.of(new StaticTokenAuthenticator(TokenFile.parse("tok,alice,uid-1,\"agents\"", "t"))));
        Principal p = auth.authenticate(Optional.of("tok")).await().indefinitely();
        assertThat(p.name()).isEqualTo("alice");
        assertThat(p.id()).isEqualTo("uid-1");
        assertThat(p.groups()).containsExactly("agents");
        assertThat(p.impersonatedUser()).isEqualTo("kubegate:alice");
        assertThatThrownBy(() -> auth.authenticate(Optional.of("nope")).await().indefinitely())
                .isInstanceOf(AuthenticationException.class)
                .satisfies(e -> assertThat(((AuthenticationException) e).unavailable()).isFalse());
        assertThatThrownBy(() -> auth.authenticate(Optional.empty()).await().indefinitely())
                .hasMessageContaining("no credentials");
    }

    @Test
    void bearerHeaderParsing() {
        assertThat(AuthenticatorChain.bearerToken("Bearer abc")).contains("abc");
        assertThat(AuthenticatorChain.bearerToken("bearer   abc ")).contains("abc");
        assertThat(AuthenticatorChain.bearerToken("Basic abc")).isEmpty();
        assertThat(AuthenticatorChain.bearerToken("Bearer ")).isEmpty();
        assertThat(AuthenticatorChain.bearerToken(null)).isEmpty();
    }
}
