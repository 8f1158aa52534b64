package dev.kubegate.admin;

import dev.kubegate.gateway.GatewayRuntime;
import dev.kubegate.identity.TokenFile;
import dev.kubegate.store.StateStore;
import dev.kubegate.store.StateStoreProducer;
import dev.kubegate.upstream.UpstreamProbe;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /kubegate/v1/status}: what this replica forwards to, and whether it can. */
@Path("/kubegate/v1/status")
public class GatewayStatusResource {

    @Inject
    GatewayRuntime runtime;

    @Inject
    StateStoreProducer stores;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> status(@Context ContainerRequestContext request) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("admin", ((TokenFile.Entry) request.getProperty(AdminAuthentication.ADMIN)).name());
        GatewayRuntime.Started s = runtime.current();
        out.put("serving", s != null);
        if (s != null) {
            UpstreamProbe.Result r = s.probe().last();
            out.put("upstream", Map.of("describe", s.upstream().describe(), "ready", r.ok(), "detail", r.detail(),
                    "checkedAt", r.at().toString()));
        }
        StateStore store = stores.current();
        if (store != null) {
            out.put("store", Map.of("describe", store.describe(), "available", store.available()));
        }
        return out;
    }
}
