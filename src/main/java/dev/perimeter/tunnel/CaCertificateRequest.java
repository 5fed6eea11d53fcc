package dev.perimeter.tunnel;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/** Body of {@code POST /v1/tunnels/{id}/ca-certificates}: one PEM CA certificate, public part only. */
record CaCertificateRequest(@NotBlank @Size(max = 8192) @Nullable String caCertificatePem) {}
