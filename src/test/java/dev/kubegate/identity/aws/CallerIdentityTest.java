package dev.kubegate.identity.aws;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CallerIdentityTest {

    @Test
    void assumedRolesBecomeTheirRoleAndKeepTheSessionName() {
        var c = new CallerIdentity("arn:aws:sts::111122223333:assumed-role/ci-agent/build-42", "111122223333", "AROA1:build-42").canonical();
        assertThat(c.arn()).isEqualTo("arn:aws:iam::111122223333:role/ci-agent");
        assertThat(c.sessionName()).contains("build-42");
        assertThat(c.account()).isEqualTo("111122223333");
    }

    @Test
    void roleNamesWithSlashesKeepThemAndOtherPartitionsTheirName() {
        var c = new CallerIdentity("arn:aws-cn:sts::111122223333:assumed-role/team/ci-agent/s1", "111122223333", "AROA1:s1").canonical();
        assertThat(c.arn()).isEqualTo("arn:aws-cn:iam::111122223333:role/team/ci-agent");
        assertThat(c.sessionName()).contains("s1");
    }

    @Test
    void usersRolesRootAndFederatedUsersStayAsTheyAre() {
        for (String arn : new String[]{"arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:role/path/r",
                "arn:aws:iam::111122223333:root", "arn:aws:sts::111122223333:federated-user/bob"}) {
            var c = new CallerIdentity(arn, "111122223333", "AIDA1").canonical();
            assertThat(c.arn()).isEqualTo(arn);
            assertThat(c.sessionName()).isEqualTo(Optional.empty());
        }
    }

    @Test
    void otherArnsAreRefused() {
        for (String arn : new String[]{"arn:aws:s3:::bucket", "arn:aws:sts::111122223333:assumed-role/only-role",
                "arn:evil:iam::111122223333:role/r", "arn:aws:iam::12:role/r", "not-an-arn", "arn:aws:iam::111122223333:group/g",
                "arn:aws:sts::111122223333:assumed-role//s"}) {
            assertThatThrownBy(() -> new CallerIdentity(arn, "", "").canonical()).as(arn).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void parsesTheJsonAndTheXmlAnswer() {
        var json = CallerIdentity.parse("{\"GetCallerIdentityResponse\":{\"GetCallerIdentityResult\":{\"Account\":\"111122223333\","
                + "\"Arn\":\"arn:aws:iam::111122223333:user/alice\",\"UserId\":\"AIDA1\"},\"ResponseMetadata\":{\"RequestId\":\"x\"}}}");
        assertThat(json).isEqualTo(new CallerIdentity("arn:aws:iam::111122223333:user/alice", "111122223333", "AIDA1"));
        var xml = CallerIdentity.parse("<?xml version=\"1.0\"?><GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                + "<GetCallerIdentityResult><Arn>arn:aws:sts::111122223333:assumed-role/r/s</Arn><UserId>AROA1:s</UserId>"
                + "<Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>");
        assertThat(xml.arn()).isEqualTo("arn:aws:sts::111122223333:assumed-role/r/s");
        assertThat(xml.userId()).isEqualTo("AROA1:s");
    }

    @Test
    void xmlEntitiesAreNotResolvedAndGarbageIsRefused() {
        assertThatThrownBy(() -> CallerIdentity.parse("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>&x;</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CallerIdentity.parse("{\"nothing\":1}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CallerIdentity.parse("{not json")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void errorCodesFromBothForms() {
        assertThat(CallerIdentity.errorCode("<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code></Error></ErrorResponse>"))
                .isEqualTo("Throttling");
        assertThat(CallerIdentity.errorCode("{\"Error\":{\"Code\":\"SignatureDoesNotMatch\"}}")).isEqualTo("SignatureDoesNotMatch");
        assertThat(CallerIdentity.errorCode("")).isEmpty();
    }
}
