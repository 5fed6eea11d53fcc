package dev.perimeter.tunnel;

import jakarta.validation.constraints.NotNull;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Body of {@code PUT /v1/tunnels/{id}/routes}: the whole new table, subdomain → {@code http(s)://host[:port]}. */
record RoutesRequest(@NotNull @Nullable Map<String, String> routes) {}
