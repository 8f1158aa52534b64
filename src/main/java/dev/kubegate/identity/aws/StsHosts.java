package dev.kubegate.identity.aws;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The STS hosts a token may name: the global {@code sts.amazonaws.com}, and the regional and FIPS
 * endpoints ({@code sts.<region>.amazonaws.com}, {@code sts-fips.<region>.amazonaws.com},
 * {@code sts.<region>.amazonaws.com.cn}) of the configured regions, or of any well-formed region of the
 * aws, aws-cn and aws-us-gov partitions; plus the host of a configured STS endpoint. Pure.
 */
public final class StsHosts {

    private static final Pattern REGIONAL = Pattern.compile(
            "sts(-fips)?\\.((?:[a-z]{2}|us-gov)-[a-z]+-[0-9])\\.amazonaws\\.com(\\.cn)?");

    private final Optional<Set<String>> regions;
    private final Optional<String> extraHost;

    public StsHosts(Optional<? extends Collection<String>> regions, Optional<String> extraHost) {
        this.regions = regions.map(Set::copyOf);
        this.extraHost = extraHost.map(h -> h.toLowerCase(Locale.ROOT));
    }

    public boolean allows(String host) {
        if (extraHost.isPresent() && extraHost.get().equals(host)) {
            return true;
        }
        if ("sts.amazonaws.com".equals(host)) {
            return true;
        }
        var m = REGIONAL.matcher(host);
        if (!m.matches()) {
            return false;
        }
        String region = m.group(2);
        boolean china = region.startsWith("cn-");
        if (china != (m.group(3) != null)) {
            return false; // China regions live under amazonaws.com.cn only, the others never do
        }
        return regions.map(r -> r.contains(region)).orElse(true);
    }
}
