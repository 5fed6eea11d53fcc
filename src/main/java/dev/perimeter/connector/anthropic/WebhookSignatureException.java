package dev.perimeter.connector.anthropic;

import dev.perimeter.shared.PerimeterException;
import org.springframework.http.HttpStatus;

/** A webhook whose Standard Webhooks signature does not verify: 401, and nothing changes. */
public class WebhookSignatureException extends PerimeterException {

    public WebhookSignatureException() {
        super(
                HttpStatus.UNAUTHORIZED,
                "unauthorized",
                "Unauthorized",
                "The webhook signature does not verify: check ANTHROPIC_WEBHOOK_SIGNING_KEY and the sender's clock");
    }
}
