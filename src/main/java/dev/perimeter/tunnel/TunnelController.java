package dev.perimeter.tunnel;

import dev.perimeter.audit.AuditTarget;
import dev.perimeter.audit.Audited;
import dev.perimeter.shared.Page;
import dev.perimeter.shared.ValidationFailedException;
import dev.perimeter.tenant.TenantContext;
import dev.perimeter.tunnel.anthropic.AnthropicTunnels;
import jakarta.validation.Valid;
import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/** The tunnel registry, for orchestrators. */
@RestController
@RequestMapping("/v1/tunnels")
class TunnelController {

    private final TunnelManagement tunnels;
    private final TunnelProperties properties;

    TunnelController(TunnelManagement tunnels, TunnelProperties properties) {
        this.tunnels = tunnels;
        this.properties = properties;
    }

    @PostMapping
    @Audited("tunnel.create")
    ResponseEntity<TunnelResponse> create(TenantContext tenant, @Valid @RequestBody RegisterTunnelRequest request) {
        TunnelManagement.IssuedTunnel issued = tunnels.create(tenant, request.toNewTunnel());
        AuditTarget.set(issued.tunnel().tunnel().getId());
        return ResponseEntity.created(
                        URI.create("/v1/tunnels/" + issued.tunnel().tunnel().getId()))
                .body(TunnelResponse.of(issued.tunnel(), baseUrl(), issued.token()));
    }

    @GetMapping
    Page<TunnelResponse> list(
            TenantContext tenant,
            @RequestParam(required = false) @Nullable String cursor,
            @RequestParam(required = false) @Nullable Integer limit) {
        String base = baseUrl();
        return tunnels.list(tenant, cursor, limit).map(view -> TunnelResponse.of(view, base, null));
    }

    @GetMapping("/{tunnelId}")
    TunnelResponse get(TenantContext tenant, @PathVariable String tunnelId) {
        return TunnelResponse.of(tunnels.get(tenant, tunnelId), baseUrl(), null);
    }

    @PostMapping("/{tunnelId}/rotate-token")
    @Audited("tunnel.rotate-token")
    TunnelResponse rotateToken(TenantContext tenant, @PathVariable String tunnelId) {
        AuditTarget.set(tunnelId);
        TunnelManagement.IssuedTunnel issued = tunnels.rotateToken(tenant, tunnelId);
        return TunnelResponse.of(issued.tunnel(), baseUrl(), issued.token());
    }

    @DeleteMapping("/{tunnelId}")
    @Audited("tunnel.archive")
    TunnelResponse archive(TenantContext tenant, @PathVariable String tunnelId) {
        AuditTarget.set(tunnelId);
        return TunnelResponse.of(tunnels.archive(tenant, tunnelId), baseUrl(), null);
    }

    /** Replaces an Anthropic tunnel's route table (subdomain → private MCP server URL). */
    @PutMapping("/{tunnelId}/routes")
    @Audited("tunnel.routes")
    TunnelResponse replaceRoutes(
            TenantContext tenant, @PathVariable String tunnelId, @Valid @RequestBody RoutesRequest request) {
        AuditTarget.set(tunnelId);
        return TunnelResponse.of(tunnels.replaceRoutes(tenant, tunnelId, request.routes()), baseUrl(), null);
    }

    /** Registers a CA certificate on an Anthropic tunnel through Anthropic's API. */
    @PostMapping("/{tunnelId}/ca-certificates")
    @Audited("tunnel.ca-certificate")
    ResponseEntity<AnthropicTunnels.RegisteredCertificate> registerCaCertificate(
            TenantContext tenant, @PathVariable String tunnelId, @Valid @RequestBody CaCertificateRequest request) {
        AuditTarget.set(tunnelId);
        return ResponseEntity.status(201)
                .body(tunnels.registerCaCertificate(tenant, tunnelId, String.valueOf(request.caCertificatePem())));
    }

    /** An Anthropic tunnel's stack configuration: the {@code mcp-proxy} file and the {@code cloudflared} environment. */
    @GetMapping(value = "/{tunnelId}/stack-config", params = "!reveal")
    ResponseEntity<TunnelManagement.StackConfig> stackConfig(TenantContext tenant, @PathVariable String tunnelId) {
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .body(tunnels.stackConfig(tenant, tunnelId, false));
    }

    /**
     * The same with {@code reveal=token}: adds {@code TUNNEL_TOKEN}, fetched from Anthropic for this answer only, never
     * stored or logged; each reveal is audited.
     */
    @GetMapping(value = "/{tunnelId}/stack-config", params = "reveal")
    @Audited("tunnel.reveal-token")
    ResponseEntity<TunnelManagement.StackConfig> stackConfigWithToken(
            TenantContext tenant, @PathVariable String tunnelId, @RequestParam String reveal) {
        AuditTarget.set(tunnelId);
        if (!reveal.equals("token")) {
            throw new ValidationFailedException("reveal", "must be 'token' or absent");
        }
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .body(tunnels.stackConfig(tenant, tunnelId, true));
    }

    private String baseUrl() {
        String configured = properties.publicUrl();
        if (!configured.isEmpty()) {
            return configured.endsWith("/") ? configured.substring(0, configured.length() - 1) : configured;
        }
        return ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString();
    }
}
