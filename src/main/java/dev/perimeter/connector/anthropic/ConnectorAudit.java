package dev.perimeter.connector.anthropic;

import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** The connector's entries in the audit trail: sessions started, deferred, refused and ended. */
@Component
class ConnectorAudit {

    private static final Logger log = LoggerFactory.getLogger(ConnectorAudit.class);

    static final String COMPONENT = "anthropic-connector";

    void succeeded(String tenantId, String action, @Nullable String target, Map<String, Object> details) {
        log.info("audit {} {} {} {}", tenantId, action, target, details);
    }

    void denied(String tenantId, String action, @Nullable String target, Map<String, Object> details) {
        log.info("audit denied {} {} {} {}", tenantId, action, target, details);
    }

    void failed(String tenantId, String action, @Nullable String target, Map<String, Object> details) {
        log.info("audit failed {} {} {} {}", tenantId, action, target, details);
    }
}
