package dev.kubegate.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Tracing is off unless an OTLP endpoint is configured. Quarkus would otherwise trace every call and
 * export to {@code localhost:4317}, logging a warning for every failed export on machines without a
 * collector — and tracing costs about 30 % of kubegate's CPU on small calls. This answers
 * {@code quarkus.otel.sdk.disabled} when nobody set it: {@code true} unless
 * {@code quarkus.otel.exporter.otlp.endpoint} or {@code quarkus.otel.exporter.otlp.traces.endpoint}
 * (or their OpenTelemetry spellings, e.g. {@code OTEL_EXPORTER_OTLP_ENDPOINT}) has a value from
 * a real configuration source. An explicit {@code quarkus.otel.sdk.disabled} always wins. The key is
 * also listed among the property names: Quarkus hands the OpenTelemetry SDK every {@code quarkus.otel.*}
 * name it can enumerate, and the SDK builds a no-op tracer only when it sees {@code otel.sdk.disabled}.
 * Registered in {@code META-INF/services/io.smallrye.config.ConfigSourceInterceptor}.
 */
@Priority(Priorities.APPLICATION)
public final class TracingSwitch implements ConfigSourceInterceptor {

    static final String SDK_DISABLED = "quarkus.otel.sdk.disabled";
    static final String[] ENDPOINTS = {
            "quarkus.otel.exporter.otlp.traces.endpoint", "quarkus.otel.exporter.otlp.endpoint",
            "otel.exporter.otlp.traces.endpoint", "otel.exporter.otlp.endpoint"};

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        if (!SDK_DISABLED.equals(name) || setByUser(value)) {
            return value;
        }
        boolean endpoint = false;
        for (String key : ENDPOINTS) {
            endpoint |= setByUser(context.proceed(key));
        }
        return ConfigValue.builder().withName(name).withValue(Boolean.toString(!endpoint))
                .withConfigSourceName("kubegate: tracing is off unless an OTLP endpoint is configured")
                .withConfigSourceOrdinal(Integer.MIN_VALUE + 1).build();
    }

    @Override
    public Iterator<String> iterateNames(ConfigSourceInterceptorContext context) {
        Set<String> names = new LinkedHashSet<>();
        context.iterateNames().forEachRemaining(names::add);
        names.add(SDK_DISABLED);
        return names.iterator();
    }

    /**
     * A value from a real source (application.properties, config file, environment, system
     * properties), not an extension's built-in default (those sources have negative ordinals).
     */
    static boolean setByUser(ConfigValue value) {
        return value != null && value.getValue() != null && !value.getValue().isBlank() && value.getConfigSourceOrdinal() > 0;
    }
}
