package dev.kubegate.identity.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * STS's answer to GetCallerIdentity, and the identity it names in canonical form, as
 * aws-iam-authenticator reduces it: an assumed role ({@code arn:aws:sts::ACCT:assumed-role/ROLE/SESSION})
 * becomes its role ({@code arn:aws:iam::ACCT:role/ROLE}), the session name kept apart; IAM users,
 * roles, the account root and federated users stay as they are; anything else is refused. STS's
 * assumed-role ARNs carry no role path, so neither does the canonical role ARN: mappings name roles
 * without their path, as EKS access entries do. Pure.
 */
public record CallerIdentity(String arn, String account, String userId) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> PARTITIONS = Set.of("aws", "aws-cn", "aws-us-gov");

    /** The canonical ARN and the session name (empty for non-session identities). */
    public record Canonical(String arn, String partition, String account, Optional<String> sessionName) {
    }

    /** Parses the JSON form (asked for with Accept: application/json) or the XML one. */
    public static CallerIdentity parse(String body) {
        String b = body.strip();
        if (b.startsWith("{")) {
            try {
                JsonNode r = JSON.readTree(b).path("GetCallerIdentityResponse").path("GetCallerIdentityResult");
                return of(r.path("Arn").asText(""), r.path("Account").asText(""), r.path("UserId").asText(""));
            } catch (IOException e) {
                throw new IllegalArgumentException("STS answered with malformed JSON");
            }
        }
        Map<String, String> fields = xmlFields(b, Set.of("Arn", "Account", "UserId"));
        return of(fields.getOrDefault("Arn", ""), fields.getOrDefault("Account", ""), fields.getOrDefault("UserId", ""));
    }

    private static CallerIdentity of(String arn, String account, String userId) {
        if (arn.isEmpty()) {
            throw new IllegalArgumentException("STS's answer names no Arn");
        }
        return new CallerIdentity(arn, account, userId);
    }

    /** The error code of an STS error body (JSON or XML), e.g. SignatureDoesNotMatch, Throttling; empty if none. */
    public static String errorCode(String body) {
        String b = body.strip();
        try {
            if (b.startsWith("{")) {
                JsonNode n = JSON.readTree(b);
                JsonNode code = n.path("Error").path("Code");
                if (code.isMissingNode()) {
                    code = n.path("ErrorResponse").path("Error").path("Code");
                }
                return code.asText("");
            }
            return xmlFields(b, Set.of("Code")).getOrDefault("Code", "");
        } catch (IOException | IllegalArgumentException e) {
            return "";
        }
    }

    /** First text of each wanted element, with a parser that resolves no DTD or external entity. */
    private static Map<String, String> xmlFields(String xml, Set<String> wanted) {
        Map<String, String> out = new HashMap<>();
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        try {
            XMLStreamReader r = f.createXMLStreamReader(new StringReader(xml));
            try {
                while (r.hasNext()) {
                    if (r.next() == XMLStreamConstants.START_ELEMENT && wanted.contains(r.getLocalName())
                            && !out.containsKey(r.getLocalName())) {
                        String name = r.getLocalName();
                        out.put(name, r.getElementText().strip());
                    }
                }
            } finally {
                r.close();
            }
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("STS answered with malformed XML");
        }
        return out;
    }

    /** The canonical identity; {@link IllegalArgumentException} for ARNs that are no IAM identity. */
    public Canonical canonical() {
        String[] p = arn.split(":", 6);
        if (p.length != 6 || !"arn".equals(p[0])) {
            throw new IllegalArgumentException("'" + arn + "' is not an ARN");
        }
        String partition = p[1];
        String service = p[2];
        String acct = p[4];
        String resource = p[5];
        if (!PARTITIONS.contains(partition)) {
            throw new IllegalArgumentException("ARN '" + arn + "' is not in a known partition");
        }
        if (!acct.matches("[0-9]{12}")) {
            throw new IllegalArgumentException("ARN '" + arn + "' has no account id");
        }
        List<String> parts = List.of(resource.split("/", -1));
        String type = parts.get(0);
        switch (service) {
            case "sts" -> {
                if ("federated-user".equals(type)) {
                    return new Canonical(arn, partition, acct, Optional.empty());
                }
                if ("assumed-role".equals(type)) {
                    if (parts.size() < 3 || parts.stream().anyMatch(String::isEmpty)) {
                        throw new IllegalArgumentException("assumed-role ARN '" + arn + "' names no role and session");
                    }
                    String role = String.join("/", parts.subList(1, parts.size() - 1));
                    return new Canonical("arn:" + partition + ":iam::" + acct + ":role/" + role, partition, acct,
                            Optional.of(parts.get(parts.size() - 1)));
                }
            }
            case "iam" -> {
                if (Set.of("role", "user").contains(type) && parts.size() >= 2 || "root".equals(resource)) {
                    return new Canonical(arn, partition, acct, Optional.empty());
                }
            }
            default -> {
            }
        }
        throw new IllegalArgumentException("ARN '" + arn + "' is not an IAM user, role, assumed role or federated user");
    }
}
