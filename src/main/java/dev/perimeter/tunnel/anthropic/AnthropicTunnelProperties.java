package dev.perimeter.tunnel.anthropic;

import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Access to Anthropic's Tunnels API, for tunnels registered with {@code backend: "ANTHROPIC"}.
 *
 * @param baseUrl the Anthropic API ({@code ANTHROPIC_BASE_URL})
 * @param apiKey the organization's or workspace's API key ({@code ANTHROPIC_API_KEY}), handed to the SDK; not
 *     an environment key. Empty refuses {@code ANTHROPIC} tunnels with 422 {@code capability-unsupported}
 * @param workspaceId sent as {@code anthropic-workspace-id} when the key can act on several workspaces; empty omits it
 * @param timeout how long one call to Anthropic may take; calls are never retried, since creating a tunnel is not
 *     idempotent
 * @param proxyListenAddr {@code listen_addr} written into the served {@code mcp-proxy} configuration
 * @param proxyCertFile {@code tls.cert_file} written into it: where the stack mounts the proxy's server certificate
 * @param proxyKeyFile {@code tls.key_file} written into it: where the stack mounts that certificate's key
 */
@Validated
@ConfigurationProperties("perimeter.tunnels.anthropic")
public record AnthropicTunnelProperties(
        @NotBlank @DefaultValue("https://api.anthropic.com") String baseUrl,
        @DefaultValue("") String apiKey,
        @DefaultValue("") String workspaceId,
        @DefaultValue("PT30S") Duration timeout,
        @NotBlank @DefaultValue("0.0.0.0:8443") String proxyListenAddr,
        @NotBlank @DefaultValue("/etc/mcp-gateway/tls/tls.crt") String proxyCertFile,
        @NotBlank @DefaultValue("/etc/mcp-gateway/tls/tls.key") String proxyKeyFile) {

    @Override
    public String toString() {
        return "AnthropicTunnelProperties[baseUrl=" + baseUrl + ", apiKey=" + (apiKey.isEmpty() ? "" : "***")
                + ", workspaceId=" + workspaceId + ", timeout=" + timeout + "]";
    }
}
